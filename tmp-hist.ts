import { checkModel } from "./checker/search.js";
import { writeRead } from "./models/write-read.js";
const opts = JSON.parse(process.argv[2]);
const m = writeRead(opts);
const hist = new Map<string, number>();
const msgs = new Map<number, number>();
const wrapped = {
  name: m.name, initStates: () => m.initStates(), actions: (s: any, o: any) => m.actions(s, o), nextState: (s: any, a: any) => m.nextState(s, a),
  fingerprint: (s: any, o: any) => m.fingerprint(s, o), ampleSets: m.ampleSets.bind(m),
  properties: [{ kind: "sometimes" as const, name: "obs", holds: (s: any) => {
    const v = m.view(s);
    const key = `${JSON.stringify(v.actors[0].value)} ${JSON.stringify(v.actors[1].value)} ${JSON.stringify(v.actors[v.actors.length-1].value)}`;
    hist.set(key, (hist.get(key) ?? 0) + 1);
    msgs.set(v.messages.length, (msgs.get(v.messages.length) ?? 0) + 1);
    return false; } }],
};
const r = checkModel(wrapped as any, { reduction: opts.red ?? true, timeoutMs: 120000 });
console.log(r.uniqueStates);
console.log([...hist].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${v}\t${k}`).join("\n"));
console.log([...msgs].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(" "));
