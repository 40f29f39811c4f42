// npm run admin -- create-user <email> <password> | create-key <email> [name]
//                  | grant-admin <email> | revoke-admin <email>
//                  | set-quota <email> <images|unlimited|default> | grant-images <email> <images> [note]
// For operators and scripts: create-key prints the new key alone on a line, then
// its webhook signing secret alone on the last line.
import { createApiKey, createApiKeySchema } from "../api-keys/create-api-key";
import { setAdminRole } from "../admin/set-user-disabled";
import { signUpSchema } from "../auth/schema";
import { isAdminEmail } from "../auth/session-user";
import { createPasswordUser } from "../auth/sign-up";
import { getConfig } from "../config";
import { closeDatabase, connectDatabase, getDb } from "../db/client";
import { readySchema } from "../db/schema-status";
import { fieldErrors } from "../http/errors";
import { describeUsage, grantImages, grantSchema, quotaValueSchema, setUserQuota } from "../usage/admin-quota";
import { runCli } from "./run-cli";

const usage = [
  "usage: npm run admin -- create-user <email> <password> [name]",
  "       npm run admin -- create-key <email> [name]",
  "       npm run admin -- grant-admin <email>",
  "       npm run admin -- revoke-admin <email>",
  "       npm run admin -- set-quota <email> <images|unlimited|default>",
  "       npm run admin -- grant-images <email> <images> [note]",
].join("\n");
const COMMANDS = ["create-user", "create-key", "grant-admin", "revoke-admin", "set-quota", "grant-images"];
const [command, ...args] = process.argv.slice(2);

await runCli(async () => {
  if (!COMMANDS.includes(command)) throw new Error(usage);
  if (command !== "create-user" && !args[0]) throw new Error(usage);
  if ((command === "set-quota" || command === "grant-images") && !args[1]) throw new Error(usage);
  // Through the running portal when it owns the embedded database; otherwise this process owns it meanwhile.
  const access = await connectDatabase(`npm run admin ${command}`);
  if (access?.kind === "client") console.error(`Using the embedded database through pid ${access.owner.pid} (${access.owner.command}).`);
  try {
    await readySchema(getConfig());
    if (command === "create-user") {
      const parsed = signUpSchema.safeParse({ email: args[0], password: args[1], name: args[2] });
      if (!parsed.success)
        throw new Error(
          Object.entries(fieldErrors(parsed.error))
            .map(([k, v]) => `${k}: ${v}`)
            .join("; "),
        );
      const user = await createPasswordUser(parsed.data);
      console.log(`Created user ${user.email} (${user.id})`);
    } else if (command === "grant-admin" || command === "revoke-admin") {
      const grant = command === "grant-admin";
      const user = await setAdminRole(args[0], grant);
      if (!user) throw new Error(`No user with email ${args[0]}`);
      console.log(`${grant ? "Granted" : "Revoked"} admin for ${user.email} (${user.id})`);
      // ADMIN_EMAILS is configuration, not a row: this command cannot override it.
      if (!grant && isAdminEmail(user.email)) console.error(`${user.email} is still an admin through ADMIN_EMAILS; remove it there too.`);
    } else if (command === "set-quota") {
      const value = quotaValueSchema.safeParse(args[1]);
      if (!value.success) throw new Error(`${args[1]}: must be a whole number of images, unlimited or default`);
      const { email, usage: now } = await setUserQuota(args[0], value.data);
      console.log(`Budget for ${email} set to ${value.data === "default" ? "the default" : value.data}: ${describeUsage(now)}`);
    } else if (command === "grant-images") {
      const grant = grantSchema.safeParse({ images: args[1], note: args.slice(2).join(" ") || undefined });
      if (!grant.success)
        throw new Error(
          Object.entries(fieldErrors(grant.error))
            .map(([k, v]) => `${k}: ${v}`)
            .join("; "),
        );
      const { email, usage: now } = await grantImages(args[0], grant.data.images, grant.data.note);
      console.log(`Granted ${grant.data.images} images to ${email} for this month: ${describeUsage(now)}`);
    } else {
      const user = await getDb().user.findUnique({ where: { email: args[0].trim().toLowerCase() } });
      if (!user) throw new Error(`No user with email ${args[0]}`);
      const { name } = createApiKeySchema.parse({ name: args[1] ?? "CLI key" });
      const key = await createApiKey(user.id, name);
      // The key stays alone on the last line, for scripts that take it with `tail -1`.
      console.log(`Created API key "${key.name}" (${key.prefix}…) for ${user.email}. Its webhook signing secret, then the key, are shown once:`);
      console.log(key.signingSecret);
      console.log(key.key);
    }
  } finally {
    await closeDatabase();
  }
});
