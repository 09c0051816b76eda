// Validates e-invoices against the official EN 16931 rules (en16931/, EUPL 1.2) with SaxonJS,
// in one Node process: the stylesheet is compiled once (about 25 s of CPU, cached next to the
// run's files by the hash of the XSLT), then each file takes a fraction of a second.
//
//   node tests/einvoice/validate.mjs ubl|cii FILE...
//
// Prints one JSON line per file: {"file", "fatal": [rule ids], "warning": [rule ids],
// "messages": {id: text}}; exits 1 when a file has a fatal failed assertion, 2 on usage or
// tool errors. The cache directory is $EN16931_CACHE or tests/.run/en16931.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const SaxonJS = require("saxon-js");

const [syntax, ...files] = process.argv.slice(2);
const xslt = { ubl: "EN16931-UBL-validation.xslt", cii: "EN16931-CII-validation.xslt" }[syntax];
if (!xslt || files.length === 0) {
  console.error("usage: validate.mjs ubl|cii FILE...");
  process.exit(2);
}
const source = join(here, "en16931", xslt);
const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 16);
const cache = process.env.EN16931_CACHE || join(here, "..", ".run", "en16931");
mkdirSync(cache, { recursive: true });
const sef = join(cache, `${syntax}-${hash}.sef.json`);
if (!existsSync(sef)) {
  const cli = join(dirname(require.resolve("xslt3/package.json")), "xslt3.js");
  execFileSync(process.execPath, [cli, `-xsl:${source}`, `-export:${sef}.tmp`, "-nogo"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  // Renamed only when whole: a run stopped mid-compilation leaves no half file behind.
  execFileSync("mv", [`${sef}.tmp`, sef]);
}

let failed = false;
for (const file of files) {
  const out = SaxonJS.transform(
    { stylesheetFileName: sef, sourceFileName: file, destination: "serialized" },
    "sync",
  );
  const svrl = out.principalResult;
  const result = { file, fatal: [], warning: [], messages: {} };
  const re = /<svrl:failed-assert\b([^>]*)>([\s\S]*?)<\/svrl:failed-assert>/g;
  for (const m of svrl.matchAll(re)) {
    const id = /\bid="([^"]*)"/.exec(m[1])?.[1] ?? "?";
    const flag = /\bflag="([^"]*)"/.exec(m[1])?.[1] ?? "fatal";
    const text = /<svrl:text>([\s\S]*?)<\/svrl:text>/.exec(m[2])?.[1]?.trim() ?? "";
    (flag === "warning" ? result.warning : result.fatal).push(id);
    result.messages[id] = text;
  }
  if (result.fatal.length > 0) failed = true;
  console.log(JSON.stringify(result));
}
process.exit(failed ? 1 : 0);
