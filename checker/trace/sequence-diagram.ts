/**
 * A path as a Mermaid `sequenceDiagram`, the picture of a counterexample Stateright's Explorer
 * draws for actor models: for an actor system each actor a participant and each delivered message
 * an arrow; for any other model one participant with a note per step.
 */

import { match } from "ts-pattern";
import { ActorModel, type SystemAction, type SystemState } from "../actors.js";
import type { Model } from "../model.js";
import type { Path, PathStep } from "../path.js";
import type { PropertyRef } from "./itf.js";
import { actionLabel } from "./steps.js";

/**
 * Text as Mermaid shows it literally: `#`, `;` and `%` would end or comment out the line, quotes
 * and angle brackets confuse its HTML labels, so they become Mermaid's numeric entity codes.
 */
export function mermaidText(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/[#;%"<>]/g, (ch) => `#${ch.charCodeAt(0)};`);
}

// Words the sequence-diagram lexer reads as keywords even at the start of a longer name.
const MERMAID_KEYWORDS =
  /^(box|participant|actor|create|destroy|loop|rect|opt|alt|else|par|and|critical|option|break|end|left of|right of|links?|properties|details|over|note|activate|deactivate|title|acc|autonumber|off|sequencediagram)/i;

interface DiagramEvent {
  readonly from?: number;
  readonly to?: number;
  readonly over: number;
  readonly text: string;
}

/**
 * Each step of an actor system's path: a delivery as an arrow; an internal step, a crash, a
 * Byzantine send or a lost message as a note over its actor.
 */
function actorEvents(model: ActorModel, path: Path<SystemState, SystemAction>): DiagramEvent[] {
  return path.steps.map((step) => {
    const action = step.action;
    const label = model.formatAction(action);
    return match(action)
      .with({ kind: "deliver" }, ({ message: id }): DiagramEvent => {
        const message = model.message(id);
        return { from: message.from, to: message.to, over: message.to, text: message.event.type };
      })
      .with({ kind: "drop" }, ({ message: id }): DiagramEvent => {
        const message = model.message(id);
        return { over: message.to, text: `lost: ${message.event.type} from ${model.actors[message.from].name}` };
      })
      .with(
        { kind: "byzantine" },
        ({ actor, message }): DiagramEvent => ({
          over: actor,
          text: `(Byzantine) sends ${model.message(message).event.type}`,
        }),
      )
      .with({ kind: "crash" }, ({ actor }): DiagramEvent => ({ over: actor, text: "crashes" }))
      .with({ kind: "internal" }, ({ actor }): DiagramEvent => {
        const prefix = `${model.actors[actor].name}: `;
        return { over: actor, text: label.startsWith(prefix) ? label.slice(prefix.length) : label };
      })
      .exhaustive();
  });
}

/**
 * The path as a Mermaid `sequenceDiagram`. For an actor system each actor is a participant (in
 * the model's order), a delivered message an arrow and an internal step a note over its actor;
 * any other model is one participant, "system", with a note per step. A closing note names the
 * property (given, or else every invariant the last state violates).
 */
export function toMermaidSequence<S, A>(
  model: Model<S, A>,
  path: Path<S, A>,
  title?: string,
  property?: Pick<PropertyRef, "name" | "kind">,
): string {
  const actors = model instanceof ActorModel;
  const names = actors ? model.actors.map((actor) => actor.name) : ["system"];
  const ids = names.map((name, i) =>
    /^[A-Za-z][A-Za-z0-9_]*$/.test(name) && !MERMAID_KEYWORDS.test(name) ? name : `p${i}`,
  );
  const lines = ["sequenceDiagram"];
  if (title !== undefined) lines.push(`  title ${mermaidText(title)}`);
  names.forEach((name, i) => {
    lines.push(ids[i] === name ? `  participant ${name}` : `  participant ${ids[i]} as ${mermaidText(name)}`);
  });
  const events = actors
    ? actorEvents(model, path as unknown as Path<SystemState, SystemAction>)
    : path.steps.map((step, i) => ({ over: 0, text: `${i + 1}. ${actionLabel(model, step.action)}` }));
  for (const event of events as DiagramEvent[]) {
    lines.push(
      event.from !== undefined && event.to !== undefined
        ? `  ${ids[event.from]}->>${ids[event.to]}: ${mermaidText(event.text)}`
        : `  Note over ${ids[event.over]}: ${mermaidText(event.text)}`,
    );
  }
  const last = path.steps.length > 0 ? (path.steps.at(-1) as PathStep<S, A>).state : path.init;
  const closing = property
    ? property.kind === "sometimes"
      ? `witness of ${property.name}`
      : `violation of ${property.name}`
    : model.properties
        .filter((p) => p.kind === "always" && !p.holds(last))
        .map((p) => `violation of ${p.name}`)
        .join(", ");
  if (closing !== "") {
    const span = ids.length > 1 ? `${ids[0]},${ids[ids.length - 1]}` : ids[0];
    lines.push(`  Note over ${span}: ${mermaidText(closing)}`);
  }
  return `${lines.join("\n")}\n`;
}
