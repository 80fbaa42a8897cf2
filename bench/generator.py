"""Generating the rows of a #872-shaped history in memory, following the services' rules."""

from __future__ import annotations

import hashlib
import random
import uuid as uuid_module
from datetime import datetime, timedelta

from sqlalchemy import Table

from bench.shape import (
    CONTENT_CHANGE_FEATURE,
    CONTENT_CHANGE_MAIN,
    DEPLOY_PROD,
    DEPLOY_TEST,
    ENVIRONMENTS,
    HISTORY,
    MAIN,
    MAIN_BRANCH_SHARE,
    REVISION_SHARE,
    SHARED_FEATURE_NAME,
    STEADY_GENERATION,
    SUPPORTED_RELEASES,
    TAGGED_SHARE,
    VERIFICATION_SUCCESS,
    GeneratorState,
    Row,
    Rows,
    Shape,
    Targets,
    pact_content,
    topology,
)
from pact_pipeline.broker import models
from pact_pipeline.broker.content import canonical_json, content_sha, with_interaction_ids


class Generator:
    def __init__(self, shape: Shape, rng: random.Random, now: datetime) -> None:
        self.shape = shape
        self.rng = rng
        self.topo = topology(shape.pacticipants, rng)
        self.state = GeneratorState()
        self.start = now - HISTORY
        self.step = HISTORY / shape.versions
        consumers = [c for c, p in self.topo.providers_of.items() if p]
        providers = list(self.topo.consumers_of)
        n = shape.pacticipants
        pubs_per_version = sum(len(self.topo.providers_of[c]) for c in consumers) / n
        self.publish_share = min(1.0, shape.publications / (shape.versions * pubs_per_version))
        verifs_per_version = sum(len(self.topo.consumers_of[p]) for p in providers) / n
        self.verify_share = min(1.0, shape.verifications / (shape.versions * verifs_per_version))
        feature_versions = shape.versions * (1 - MAIN_BRANCH_SHARE)
        self.new_branch_share = min(1.0, max(0, shape.branches - n) / max(1.0, feature_versions))
        self.environment_ids: dict[str, int] = {}
        self.environment_uuids: dict[str, str] = {}
        topo = self.topo
        #: Providers with the most consumers: the pacts-for-verification targets.
        self.target_providers = sorted(
            topo.consumers_of, key=lambda p: (-len(topo.consumers_of[p]), p)
        )[:3]
        fronts = [p for p in topo.providers_of if p not in topo.consumers_of]
        self.publisher = max(fronts, key=lambda p: (len(topo.providers_of[p]), -p))
        # pact_broker#487: the first target provider's first consumer (other than the
        # publisher) never changes its pact, and the provider verifies it on a schedule.
        provider = self.target_providers[0]
        consumer = next(
            (c for c in topo.consumers_of[provider] if c != self.publisher),
            topo.consumers_of[provider][0],
        )
        self.steady = (consumer, provider)
        count = shape.steady_verifications
        self.steady_schedule = [self.start + HISTORY * ((k + 0.5) / count) for k in range(count)]
        self.steady_next = 0
        self.steady_written = 0

    def run(self) -> Rows:
        rows = self.state.rows
        for index, name in enumerate(self.topo.names):
            rows.add(
                "pacticipants",
                {
                    "name": name,
                    "display_name": None,
                    "main_branch": MAIN,
                    "repository_url": f"https://git.example.org/acme/{name}",
                    "repository_name": name,
                    "repository_namespace": "acme",
                    "created_at": self.start - timedelta(days=1, seconds=-index),
                    "updated_at": None,
                },
            )
        for name, production in ENVIRONMENTS:
            # Fixed UUIDs per name: a benchmark run can name the environment before seeding.
            uuid = str(uuid_module.uuid5(uuid_module.NAMESPACE_URL, f"bench:environment:{name}"))
            self.environment_ids[name] = rows.add(
                "environments",
                {
                    "uuid": uuid,
                    "name": name,
                    "display_name": name.capitalize(),
                    "production": production,
                    "contacts": None,
                    "created_at": self.start - timedelta(days=1),
                    "updated_at": None,
                },
            )
            self.environment_uuids[name] = uuid
        for i in range(self.shape.versions):
            at = self.start + self.step * i
            self._scheduled_verifications(at)
            self._version(self.rng.randrange(self.shape.pacticipants), at)
        self._scheduled_verifications(self.start + HISTORY)
        self._deploy_everyone_to_prod(self.start + HISTORY)
        return rows

    # --- one version (one CI build) --------------------------------------------------------

    def _number(self, pacticipant: int, seq: int) -> str:
        digest = hashlib.sha1(f"{pacticipant}:{seq}".encode(), usedforsecurity=False).hexdigest()
        number = digest[:10]
        while (pacticipant, number) in self.state.numbers:
            number += "0"
        self.state.numbers.add((pacticipant, number))
        return number

    def _version(self, p: int, at: datetime) -> None:
        rows, state = self.state.rows, self.state
        number = self._number(p, len(rows.tables.get("versions", [])))
        version_id = rows.add(
            "versions",
            {
                "pacticipant_id": p + 1,
                "number": number,
                "build_url": None,
                "created_at": at,
                "updated_at": None,
            },
        )
        branch_id = self._branch_for(p, at)
        branch = state.branch_names[branch_id]
        rows.add(
            "branch_versions", {"branch_id": branch_id, "version_id": version_id, "created_at": at}
        )
        if self.rng.random() < TAGGED_SHARE:
            rows.add(
                "tags",
                {
                    "version_id": version_id,
                    "pacticipant_id": p + 1,
                    "name": branch,
                    "created_at": at,
                },
            )
        published = False
        if p in self.topo.providers_of and self.rng.random() < self.publish_share:
            published = True
            for provider in self.topo.providers_of[p]:
                self._publish(p, provider, version_id, branch_id, at)
        if p in self.topo.consumers_of and self.rng.random() < self.verify_share:
            self._verify(p, version_id, branch, at + min(timedelta(seconds=30), self.step / 3))
        if branch == MAIN:
            state.main_versions.setdefault(p, []).append((version_id, number))
            if published:
                state.published_main.setdefault(p, []).append((version_id, number))
            self._maybe_deploy(p, version_id, at + min(timedelta(seconds=60), self.step / 2))

    def _branch_for(self, p: int, at: datetime) -> int:
        state = self.state
        if self.rng.random() < MAIN_BRANCH_SHARE:
            if p not in state.main_branch:
                state.main_branch[p] = self._new_branch(p, MAIN, at)
            return state.main_branch[p]
        features = state.open_features.setdefault(p, [])
        if features and self.rng.random() >= self.new_branch_share:
            return self.rng.choice(features[-3:])
        if state.recent_feature_names and self.rng.random() < SHARED_FEATURE_NAME:
            name = self.rng.choice(list(state.recent_feature_names))
        else:
            state.tickets += 1
            name = f"feat/ACME-{state.tickets}"
        existing = [b for b in features if state.branch_names[b] == name]
        if existing:
            return existing[0]
        branch_id = self._new_branch(p, name, at)
        features.append(branch_id)
        state.recent_feature_names.append(name)
        return branch_id

    def _new_branch(self, p: int, name: str, at: datetime) -> int:
        branch_id = self.state.rows.add(
            "branches", {"pacticipant_id": p + 1, "name": name, "created_at": at}
        )
        self.state.branch_names[branch_id] = name
        return branch_id

    # --- pacts --------------------------------------------------------------------------------

    def _pact_version(self, consumer: int, provider: int, generation: int, at: datetime) -> int:
        key = (consumer, provider, generation)
        found = self.state.pact_versions.get(key)
        if found is not None:
            return found
        names = self.topo.names
        content = with_interaction_ids(pact_content(names[consumer], names[provider], generation))
        pact_version_id = self.state.rows.add(
            "pact_versions",
            {
                "consumer_id": consumer + 1,
                "provider_id": provider + 1,
                "sha": content_sha(content),
                "content": canonical_json(content),
                "created_at": at,
            },
        )
        self.state.pact_versions[key] = pact_version_id
        return pact_version_id

    def _next_generation(self, consumer: int, provider: int) -> int:
        key = (consumer, provider)
        self.state.generations[key] = self.state.generations.get(key, 0) + 1
        return self.state.generations[key]

    def _publish(
        self, consumer: int, provider: int, version_id: int, branch_id: int, at: datetime
    ) -> None:
        state = self.state
        branch = state.branch_names[branch_id]
        key = (consumer, provider, branch_id)
        generation = state.content.get(key)
        if generation is None and branch != MAIN:
            # A feature branch starts from what main has.
            generation = state.content.get((consumer, provider, state.main_branch.get(consumer, 0)))
        change = CONTENT_CHANGE_MAIN if branch == MAIN else CONTENT_CHANGE_FEATURE
        if generation is None or self.rng.random() < change:
            generation = self._next_generation(consumer, provider)
        revisions = 2 if self.rng.random() < REVISION_SHARE else 1
        if (consumer, provider) == self.steady:
            # Same draws as any integration (the rest of the data does not move), but the
            # content never changes: every publication is the one pact version.
            generation, revisions = STEADY_GENERATION, 1
        for revision in range(1, revisions + 1):
            if revision > 1:
                generation = self._next_generation(consumer, provider)
            when = at + timedelta(seconds=revision - 1)
            pact_version_id = self._pact_version(consumer, provider, generation, when)
            state.rows.add(
                "pact_publications",
                {
                    "consumer_id": consumer + 1,
                    "provider_id": provider + 1,
                    "consumer_version_id": version_id,
                    "pact_version_id": pact_version_id,
                    "revision_number": revision,
                    "created_at": when,
                },
            )
            state.content[key] = generation
            state.newest_pact[(consumer, provider, branch)] = pact_version_id

    def _verify(self, provider: int, version_id: int, branch: str, at: datetime) -> None:
        """A provider build verifies its consumers' main pacts, and the matching branch's."""
        state = self.state
        for consumer in self.topo.consumers_of[provider]:
            wanted = {state.newest_pact.get((consumer, provider, MAIN))}
            if branch != MAIN:
                wanted.add(state.newest_pact.get((consumer, provider, branch)))
            for pact_version_id in sorted(w for w in wanted if w is not None):
                number = state.verification_numbers.get(pact_version_id, 0) + 1
                state.verification_numbers[pact_version_id] = number
                state.rows.add(
                    "verifications",
                    {
                        "number": number,
                        "pact_version_id": pact_version_id,
                        "provider_version_id": version_id,
                        "consumer_id": consumer + 1,
                        "provider_id": provider + 1,
                        "success": self.rng.random() < VERIFICATION_SUCCESS,
                        "build_url": None,
                        "test_results": None,
                        "verified_by": {"implementation": "pact-python", "version": "3.0.0"},
                        "wip": False,
                        "pact_pending": False,
                        "created_at": at,
                    },
                )

    def _scheduled_verifications(self, now: datetime) -> None:
        """pact_broker#487: a scheduled provider job verifies the steady pact, successfully,
        with the provider's newest main-branch version; the runs due by ``now`` are written
        at ``now`` (after every earlier row, so ids keep growing with time). Runs due before
        the pact or a main provider version exists are skipped."""
        consumer, provider = self.steady
        schedule = self.steady_schedule
        state = self.state
        while self.steady_next < len(schedule) and schedule[self.steady_next] <= now:
            self.steady_next += 1
            pact_version_id = state.newest_pact.get((consumer, provider, MAIN))
            mains = state.main_versions.get(provider)
            if pact_version_id is None or not mains:
                continue
            number = state.verification_numbers.get(pact_version_id, 0) + 1
            state.verification_numbers[pact_version_id] = number
            state.rows.add(
                "verifications",
                {
                    "number": number,
                    "pact_version_id": pact_version_id,
                    "provider_version_id": mains[-1][0],
                    "consumer_id": consumer + 1,
                    "provider_id": provider + 1,
                    "success": True,
                    "build_url": None,
                    "test_results": None,
                    "verified_by": {"implementation": "pact-python", "version": "3.0.0"},
                    "wip": False,
                    "pact_pending": False,
                    "created_at": now,
                },
            )
            self.steady_written += 1

    # --- environments -------------------------------------------------------------------------

    def _maybe_deploy(self, p: int, version_id: int, at: datetime) -> None:
        if self.rng.random() < DEPLOY_TEST:
            self._deploy(p, version_id, "test", at)
        if self.rng.random() < DEPLOY_PROD:
            if p in self.topo.releasers:
                self._release(p, version_id, "prod", at)
            else:
                self._deploy(p, version_id, "prod", at)

    def _deploy(self, p: int, version_id: int, environment: str, at: datetime) -> None:
        environment_id = self.environment_ids[environment]
        previous = self.state.current_deployment.get((p, environment_id))
        if previous is not None:
            if previous["version_id"] == version_id:
                return
            previous["undeployed_at"] = at
        self.state.current_deployment[(p, environment_id)] = row = {
            "uuid": models.new_uuid(),
            "version_id": version_id,
            "pacticipant_id": p + 1,
            "environment_id": environment_id,
            "target": None,
            "created_at": at,
            "undeployed_at": None,
        }
        self.state.rows.add("deployed_versions", row)

    def _release(self, p: int, version_id: int, environment: str, at: datetime) -> None:
        environment_id = self.environment_ids[environment]
        releases = self.state.releases.setdefault(p, [])
        row: Row = {
            "uuid": models.new_uuid(),
            "version_id": version_id,
            "pacticipant_id": p + 1,
            "environment_id": environment_id,
            "created_at": at,
            "updated_at": None,
            "support_ended_at": None,
        }
        releases.append(row)
        self.state.rows.add("released_versions", row)
        supported = [r for r in releases if r["support_ended_at"] is None]
        for old in supported[:-SUPPORTED_RELEASES]:
            old["support_ended_at"] = at

    def _deploy_everyone_to_prod(self, at: datetime) -> None:
        """Every pacticipant ends with something in prod, so can-i-deploy has a counterpart."""
        prod = self.environment_ids["prod"]
        for p in range(self.shape.pacticipants):
            mains = self.state.main_versions.get(p)
            if not mains:
                continue
            if p in self.topo.releasers:
                if not self.state.releases.get(p):
                    self._release(p, mains[-1][0], "prod", at)
            elif (p, prod) not in self.state.current_deployment:
                self._deploy(p, mains[-1][0], "prod", at)

    # --- what to benchmark -------------------------------------------------------------------

    def targets(self) -> Targets:
        names, topo, state = self.topo.names, self.topo, self.state
        services = [p for p in topo.providers_of if p in topo.consumers_of]
        can_i_deploy = [
            (names[p], state.published_main[p][-1][1])
            for p in services
            if state.published_main.get(p)
        ][:5]
        publisher = self.publisher
        contents = {}
        main = state.main_branch.get(publisher, 0)
        for provider in topo.providers_of[publisher]:
            generation = state.content.get((publisher, provider, main), 1)
            contents[names[provider]] = pact_content(names[publisher], names[provider], generation)
        deployer = services[0]
        heads = [
            names[p]
            for p in services
            if state.published_main.get(p)
            and state.published_main[p][-1] == state.main_versions[p][-1]
        ][:5]
        return Targets(
            can_i_deploy=can_i_deploy,
            providers=[names[p] for p in self.target_providers],
            publisher=names[publisher],
            publish_contents=contents,
            deployer=names[deployer],
            deploy_versions=[n for _, n in state.main_versions.get(deployer, [])[-5:]],
            environments=dict(self.environment_uuids),
            steady_pact=(names[self.steady[0]], names[self.steady[1]]),
            steady_verifications=self.steady_written,
            branch_heads=heads or [name for name, _ in can_i_deploy],
        )


TABLE_ORDER: tuple[Table, ...] = tuple(
    m.__table__  # type: ignore[misc]
    for m in (
        models.Pacticipant,
        models.Environment,
        models.Version,
        models.Branch,
        models.BranchVersion,
        models.Tag,
        models.PactVersion,
        models.PactPublication,
        models.Verification,
        models.DeployedVersion,
        models.ReleasedVersion,
    )
)
