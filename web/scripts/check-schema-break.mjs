#!/usr/bin/env node
// Proves that a schema change which breaks the console fails the build: in a scratch copy of
// web/, the type generation and type check run against the real schema (must pass), then
// against altered copies of it (each must fail, at codegen or at tsc).
//
//   npm run check:schema
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const schema = readFileSync(join(web, "../api/schema.graphql"), "utf8");

/** Each alteration: what it does, and the change to the schema text. */
const alterations = [
  {
    name: "a field the console reads is removed (Activity.completeness)",
    change: (s) => replaceInType(s, "Activity", /\t"""\n\tShare of the expected content[^"]*"""\n\tcompleteness: Int!\n/, ""),
    failsAt: "codegen",
    expect: /completeness/,
  },
  {
    name: "an argument the console sends is removed (alerts(kind:))",
    change: (s) => replaceInType(s, "QueryRoot", /(alerts\(\t\ttenantIds: \[UUID!\],\n)\t\t"""\n\t\trequest_due[^"]*"""\n\t\tkind: String,\n/, "$1"),
    failsAt: "codegen",
    expect: /kind/,
  },
  {
    name: "a field the console relies on becomes nullable (ConsolidatedReport.period)",
    change: (s) => replaceInType(s, "ConsolidatedReport", /period: String!/, "period: String"),
    failsAt: "tsc",
    expect: /ConsolidatedDashboardPage/,
  },
  {
    name: "an input field becomes required (ActivityInput.purposes loses its default)",
    change: (s) => replaceInType(s, "ActivityInput", /purposes: String! = ""/, "purposes: String!\n\tlawfulnessNote: String!"),
    failsAt: "tsc",
    expect: /lawfulnessNote/,
  },
];

function replaceInType(s, type, pattern, replacement) {
  const start = s.search(new RegExp(`^(type|input) ${type} \\{`, "m"));
  if (start < 0) throw new Error(`type ${type} not found in the schema`);
  const end = s.indexOf("\n}", start);
  const body = s.slice(start, end);
  const changed = body.replace(pattern, replacement);
  if (changed === body) throw new Error(`no change made in ${type}`);
  return s.slice(0, start) + changed + s.slice(end);
}

function scratch(schemaText) {
  const root = mkdtempSync(join(tmpdir(), "mutualis-schema-check-"));
  mkdirSync(join(root, "api"));
  writeFileSync(join(root, "api/schema.graphql"), schemaText);
  const copy = join(root, "web");
  mkdirSync(copy);
  for (const f of ["codegen.ts", "tsconfig.json", "package.json"]) cpSync(join(web, f), join(copy, f));
  cpSync(join(web, "src"), join(copy, "src"), { recursive: true, filter: (p) => !p.includes(`${join("src", "gql")}`) });
  symlinkSync(join(web, "node_modules"), join(copy, "node_modules"));
  return { root, copy };
}

function run(cwd, bin, args) {
  const r = spawnSync(join(cwd, "node_modules/.bin", bin), args, { cwd, encoding: "utf8" });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function build(schemaText) {
  const { root, copy } = scratch(schemaText);
  try {
    const codegen = run(copy, "graphql-codegen", ["--config", "codegen.ts"]);
    if (!codegen.ok) return { stage: "codegen", output: codegen.output };
    const tsc = run(copy, "tsc", ["--noEmit", "-p", "tsconfig.json"]);
    if (!tsc.ok) return { stage: "tsc", output: tsc.output };
    return { stage: "passed", output: "" };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

let passed = 0;
let failed = 0;
const baseline = build(schema);
if (baseline.stage === "passed") {
  console.log("ok   the console builds against api/schema.graphql");
  passed++;
} else {
  console.log(`FAIL the console does not build against api/schema.graphql (${baseline.stage}):\n${baseline.output}`);
  failed++;
}
for (const a of alterations) {
  const r = build(a.change(schema));
  if (r.stage === a.failsAt && a.expect.test(r.output)) {
    const first = r.output.split("\n").find((l) => a.expect.test(l)) ?? "";
    console.log(`ok   ${a.name}: the build fails at ${r.stage}\n       ${first.trim().slice(0, 200)}`);
    passed++;
  } else {
    console.log(`FAIL ${a.name}: expected a failure at ${a.failsAt}, got ${r.stage}\n${r.output.slice(0, 2000)}`);
    failed++;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
