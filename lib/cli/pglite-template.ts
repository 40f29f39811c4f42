// Spawned by `npm run build` (lib/server/ensure-build.ts): makes the empty
// embedded database new PGlite folders are unpacked from (lib/db/pglite-template.ts).
import { openPGlite } from "../db/pglite-modules";
import { makePgliteTemplate, pgliteTemplatePath } from "../db/pglite-template";
import { runCli } from "./run-cli";

await runCli(async () => {
  const file = pgliteTemplatePath();
  const result = await makePgliteTemplate(file, openPGlite);
  if (result === "made") console.log(`Made the empty embedded database new folders start from (${file}).`);
});
