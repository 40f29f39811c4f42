// npm run openapi:types: rewrites the committed client types from the OpenAPI document.
import { writeFile } from "node:fs/promises";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { API_TYPES_FILE, generateApiTypes } from "../helpers/openapi-tools";

await writeFile(API_TYPES_FILE, await generateApiTypes(buildOpenApiDocument("http://localhost:3000")));
console.log(`wrote ${API_TYPES_FILE}`);
