/** Committees the machine tests share. */

import type { Committee } from "../../machines/committee.js";

/** Ten shards over four nodes of 3, 3, 2 and 2: f = 3, quorum 2f + 1 = 7, validity f + 1 = 4. */
export const TEN_SHARDS: Committee = {
  epoch: 1,
  nShards: 10,
  members: [
    { name: "N0", shards: [0, 1, 2] },
    { name: "N1", shards: [3, 4, 5] },
    { name: "N2", shards: [6, 7] },
    { name: "N3", shards: [8, 9] },
  ],
};
