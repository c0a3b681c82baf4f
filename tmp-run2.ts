import { checkModel } from "./checker/search.js";
import { writeRead } from "./models/write-read.js";
const [name, optsText, red, tmo] = process.argv.slice(2);
const opts = JSON.parse(optsText);
const t = performance.now();
const m = writeRead(opts);
let last = 0;
const r = checkModel(m, { reduction: red === "1", timeoutMs: Number(tmo) * 1000, onProgress: (p) => { if (p.elapsedMs - last > 30000) { last = p.elapsedMs; console.log(JSON.stringify(p)); } } });
console.log(name, red, r.uniqueStates, r.complete, r.maxDepth, ((performance.now() - t) / 1000).toFixed(1) + "s", r.properties.map((p) => `${p.holds ? "ok" : "FAIL"} ${p.kind} ${p.name.slice(0,40)}`).join("; "));
