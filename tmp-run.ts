import { checkModel } from "./checker/search.js";
import { writeRead } from "./models/write-read.js";
const configs: Array<[string, Parameters<typeof writeRead>[0]]> = JSON.parse(process.argv[2]);
for (const [name, opts] of configs) {
  for (const reduction of [true, false]) {
    const t = performance.now();
    const m = writeRead(opts);
    const r = checkModel(m, { reduction, timeoutMs: 60000 });
    console.log(name, reduction, r.uniqueStates, r.complete, ((performance.now() - t) / 1000).toFixed(1) + "s", r.properties.map((p) => `${p.holds ? "ok" : "FAIL"} ${p.kind} ${p.name.slice(0,40)}`).join("; "));
  }
}
