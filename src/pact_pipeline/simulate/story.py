"""The story `invoke simulate` tells, chapter by chapter, with the real tasks."""

from __future__ import annotations

import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from pact_pipeline import embedded
from pact_pipeline.broker_client import BrokerClient
from pact_pipeline.errors import BrokerError
from pact_pipeline.local_ci.builds import Build, BuildContext, BuildQueue
from pact_pipeline.local_ci.server import running_ci
from pact_pipeline.serving import free_port
from pact_pipeline.settings import load_settings
from pact_pipeline.simulate.narrator import Narrator
from pact_pipeline.simulate.report import write_report
from pact_pipeline.simulate.workspaces import Workspace, make_workspaces
from pact_pipeline.stages.can_i_deploy import verified_by
from pact_pipeline.stages.matrix import parse_matrix

if TYPE_CHECKING:
    from collections.abc import Callable

    from pact_pipeline.output import Output
    from pact_pipeline.settings import Settings

ENV = "prod"
TOKEN = "simulation-ci-token"  # noqa: S105 - a throwaway CI's token, for a throwaway broker
PRICE_PACT = ('"name": "28 Degrees"}', '"name": "28 Degrees", "price": 12.5}')
PRICE_MODEL = ("    version: str\n", "    version: str\n    price: float = 12.5\n")
#: The provider stops running pacts and publishes its OpenAPI document instead (BDCT).
BI_DIRECTIONAL = (
    "    adapter: provider.verification:served_for_verification\n",
    "    adapter: provider.verification:served_for_verification\n"
    "    openapi: provider.app:app\n"
    "    contract_testing: openapi\n",
)
VERSION_PACT = ('"price": 12.5}', '"price": 12.5, "version": "v1"}')
NO_PRICE = ("    price: float = 12.50\n", "")


class Simulation:
    """The teams, their broker and their CI, and the story they live through."""

    def __init__(self, teams: dict[str, Workspace], narrator: Narrator, ci: BuildQueue) -> None:
        """Cast the story."""
        self.web, self.mobile, self.provider = teams["web"], teams["mobile"], teams["provider"]
        self.tell = narrator
        self.ci = ci

    def wait_for_ci(self) -> None:
        """Let the local CI finish what webhooks asked of it."""
        if not self.ci.wait_idle(120):
            self.tell.say("the local CI is still busy after 120 s")

    def play(self) -> None:
        """Every chapter, in order."""
        for chapter in (
            self.everyone_on_main,
            self.consumer_wants_more,
            self.provider_delivers,
            self.safe_order,
            self.bad_deploy,
            self.mobile_releases,
            self.provider_goes_bi_directional,
            self.openapi_breaks_a_pact,
        ):
            chapter()

    def everyone_on_main(self) -> None:
        self.tell.chapter(
            "1. Everyone on main",
            "The provider builds first (no consumers yet) and sets up its pact-changed "
            "webhook; the web consumer publishes, the webhook has the provider's CI verify "
            "that pact, and both deploy to prod.",
        )
        self.tell.run(self.provider, "ci")
        self.tell.run(self.provider, "create-or-update-pact-changed-webhook")
        self.tell.run(self.web, "ci")
        self.wait_for_ci()

    def consumer_wants_more(self) -> None:
        self.tell.chapter(
            "2. The consumer wants a price",
            "On branch feat/price the website expects product 10 to have a price. Publishing "
            "fires the webhook; the provider's CI verifies the pact and it fails — but the "
            "pact is pending for the provider, so the provider's own build stays green. "
            "can-i-deploy blocks the consumer and says why.",
        )
        self.web.git("switch", "--quiet", "-c", "feat/price")
        self.web.edit("tests/consumer/product_service_pact.py", *PRICE_PACT)
        self.web.commit("Show each product's price")
        self.tell.run(self.web, "test")
        self.tell.run(self.web, "publish")
        self.wait_for_ci()
        self.tell.run(self.provider, "verify", "--publish")
        self.tell.run(self.web, "can-i-deploy", expect="fails")

    def provider_delivers(self) -> None:
        self.tell.chapter(
            "3. The provider delivers on a matching branch",
            "The provider adds the price on its own feat/price branch; its build verifies the "
            "consumer's feature pact (matching branch) and passes, without deploying.",
        )
        self.provider.git("switch", "--quiet", "-c", "feat/price")
        self.provider.edit("provider/models.py", *PRICE_MODEL)
        self.provider.commit("Products have a price")
        self.tell.run(self.provider, "ci")

    def safe_order(self) -> None:
        self.tell.chapter(
            "4. Provider first, then consumer",
            "Both merge. The provider deploys first; then the consumer's can-i-deploy is a yes "
            "and it deploys too.",
        )
        self._merge(self.provider)
        self.tell.run(self.provider, "ci")
        self._merge(self.web)
        self.tell.run(self.web, "ci")
        self.wait_for_ci()

    def bad_deploy(self) -> None:
        self.tell.chapter(
            "5. A bad deploy, rolled back",
            "The provider deploys a version that breaks in prod (smoke tests, not contracts). "
            "It records the undeployment and deploys the previous version again.",
        )
        previous = self.provider.version
        self.provider.edit("provider/models.py", "price: float = 12.5", "price: float = 12.50")
        self.provider.commit("Tune prices (breaks prod)")
        self.tell.run(self.provider, "ci")
        self.tell.say(f"smoke tests fail in {ENV}: roll back to {previous}")
        self.tell.run(self.provider, "undeploy", "--env", ENV)
        self.tell.run(self.provider, "deploy", "--env", ENV, "--version", previous)

    def mobile_releases(self) -> None:
        self.tell.chapter(
            "6. A mobile app releases",
            "The mobile app is released, not deployed: version 1 and version 2 are both in "
            "use until the team ends support for version 1.",
        )
        self.tell.run(self.mobile, "test")
        self.tell.run(self.mobile, "publish")
        self.wait_for_ci()
        first = self.mobile.version
        self.tell.run(self.mobile, "release", "--env", ENV)
        self.mobile.commit("Mobile app 2")
        self.tell.run(self.mobile, "publish")
        self.wait_for_ci()
        self.tell.run(self.mobile, "release", "--env", ENV)
        self.tell.run(self.mobile, "support-ended", "--env", ENV, "--version", first)

    def provider_goes_bi_directional(self) -> None:
        self.tell.chapter(
            "7. The provider goes bi-directional",
            "The provider team stops running its consumers' pacts: it publishes its OpenAPI "
            "document instead, with a schemathesis run of the app against it as its "
            "self-verification (pipeline.provider.contract_testing: openapi). The broker "
            "compares every pact with the document. The website then starts showing each "
            "product's version: a pact the provider never runs, deployed on the strength of "
            "the comparison.",
        )
        self.provider.edit("invoke.yaml", *BI_DIRECTIONAL)
        self.provider.commit("Publish the OpenAPI document instead of running pacts")
        self.tell.run(self.provider, "ci")
        self.web.edit("tests/consumer/product_service_pact.py", *VERSION_PACT)
        self.web.commit("Show each product's version")
        self.tell.run(self.web, "ci")
        self.wait_for_ci()
        self.tell.say(
            "the provider's CI was called by the webhook, but ran no pact: the comparison "
            "with its OpenAPI said yes"
        )

    def openapi_breaks_a_pact(self) -> None:
        self.tell.chapter(
            "8. A breaking OpenAPI change is blocked",
            "The provider drops the price, which the website's pact relies on. Its "
            "self-verification passes (the app and its document agree), its provider contract "
            "is published, but can-i-deploy compares it with the pact deployed in prod and "
            "says no, naming the field.",
        )
        self.provider.edit("provider/models.py", *NO_PRICE)
        self.provider.commit("Drop the price")
        self.tell.run(self.provider, "ci", expect="fails")

    def _merge(self, workspace: Workspace) -> None:
        workspace.git("switch", "--quiet", "main")
        workspace.git("merge", "--quiet", "--no-ff", "-m", "Merge feat/price", "feat/price")
        self.tell.say(f"{workspace.team} merges feat/price into main ({workspace.version})")


def simulate(
    settings: Settings,
    out: Output,
    *,
    pause: Callable[[], None] | None = None,
    report: Path | None = None,
    keep: Path | None = None,
) -> None:
    """Tell the story in a throwaway directory (or `keep`), then print and write the report."""
    started = time.perf_counter()
    with ExitStack() as stack:
        parent = keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pact-sim-")))
        teams = make_workspaces(settings.root, parent)
        broker_settings = load_settings(
            {"broker_port": free_port(), "broker_dir": str(parent / "broker")}, {}, root=parent
        )
        url = embedded.ensure_running(broker_settings, notify=lambda _message: None)
        stack.callback(embedded.stop, broker_settings)
        ci_port = free_port()
        narrator = Narrator(out, _story_environ(url, ci_port), pause=pause)
        context = BuildContext(teams["provider"].root, url, True, narrator.environ)
        ci_url, queue = stack.enter_context(
            running_ci(
                context,
                token=TOKEN,
                log_dir=parent / "ci-builds",
                port=ci_port,
                on_event=lambda build: _report_build(out, build),
            )
        )
        out.info(f"broker {url}, the provider's local CI {ci_url}, repositories in {parent}")
        story = Simulation(teams, narrator, queue)
        try:
            story.play()
        finally:
            _epilogue(out, narrator, url, queue, time.perf_counter() - started, report)


def _story_environ(broker_url: str, ci_port: int) -> dict[str, str]:
    return {
        "PACT_BROKER_BASE_URL": broker_url,
        "PACT_DO_NOT_TRACK": "true",
        "CI": "true",
        "PACT_PIPELINE_CI_SERVER_PORT": str(ci_port),
        "PACT_PIPELINE_CI_SERVER_TOKEN": TOKEN,
        "PACT_PIPELINE_CAN_I_DEPLOY_RETRIES": "40",
        "PACT_PIPELINE_CAN_I_DEPLOY_INTERVAL": "0.25",
        "PACT_PIPELINE_BROKER_RETRIES": "1",
        "NO_COLOR": "1",
        "COLUMNS": "160",
    }


def _report_build(out: Output, build: Build) -> None:
    who = f"ProductService {build.request.provider_version or '(checkout)'}"
    if build.status == "running":
        out.console.print(
            f"    [yellow]⚙ local CI build #{build.number}: {escape(who)} verifies "
            f"{escape(build.request.pact_url.rsplit('/', 1)[-1])}…[/]"
        )
    else:
        colour = "green" if build.status == "passed" else "red"
        out.console.print(f"    [{colour}]⚙ local CI build #{build.number} {build.status}[/]")


def _epilogue(
    out: Output,
    narrator: Narrator,
    url: str,
    queue: BuildQueue,
    seconds: float,
    report: Path | None,
) -> None:
    out.console.rule("[bold]The end")
    out.show(narrator.summary())
    builds = queue.builds()
    out.info(
        f"local CI builds: {len(builds)} ({', '.join(f'#{b.number} {b.status}' for b in builds)})"
    )
    matrix = final_matrix(url)
    out.show(matrix)
    out.info(f"the story took {seconds:.1f}s")
    if report is not None:
        write_report(report, narrator.results, builds, matrix, seconds)
        out.info(f"report: {report}")


def final_matrix(url: str) -> Table:
    """The broker's matrix for every consumer of the story, newest first."""
    table = Table(title="The final matrix", title_justify="left")
    for column in ("consumer", "c.version", "provider", "p.version", "verified?", "by"):
        table.add_column(column)
    marks = {True: "[green]✔[/]", False: "[red]✘[/]", None: "[yellow]?[/]"}
    with BrokerClient(url) as broker:
        for consumer in ("FrontendWebsite", "FrontendMobile"):
            try:
                body = broker.get(
                    f"{url}/matrix",
                    action="read the matrix",
                    params=[("q[][pacticipant]", consumer)],
                )
            except BrokerError:
                continue  # the story stopped before this consumer published
            for row in parse_matrix(body).rows:
                table.add_row(
                    row.consumer,
                    row.consumer_version or "-",
                    row.provider,
                    row.provider_version or "-",
                    marks[row.verified],
                    verified_by(row),
                )
    return table
