// npm run build: the production bundle, recorded as built from the current
// sources, so `npm start` serves it without building (once per deploy, before
// starting any instance).
import { build } from "../server/ensure-build";
import { runCli } from "./run-cli";

await runCli(async () => {
  build(process.cwd());
  console.log("Built. `npm start` serves this build until the sources change.");
});
