// Runs in the browser before the app's code: zod's compiled fast path probes
// `new Function`, which the page's CSP (no 'unsafe-eval') refuses and reports
// as a violation on every page that validates a form. Jitless zod never probes.
import { z } from "zod";

z.config({ jitless: true });
