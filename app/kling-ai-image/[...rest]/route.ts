// Any other path under the seed's gateway prefixes: the seed's 404 body.
import { seedError } from "@/lib/gateway/responses";

const notFound = async () => seedError(404);
export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
