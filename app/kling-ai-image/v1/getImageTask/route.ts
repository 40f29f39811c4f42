// POST /kling-ai-image/v1/getImageTask: the seed's submit endpoint, keyed by Ocp-Apim-Subscription-Key.
import { gatewayRoute } from "@/lib/gateway/gateway-route";
import { submitViaGateway } from "@/lib/gateway/submit-via-gateway";

export const POST = gatewayRoute("submit", submitViaGateway);
