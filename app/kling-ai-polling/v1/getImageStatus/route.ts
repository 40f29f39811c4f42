// POST /kling-ai-polling/v1/getImageStatus: the seed's status endpoint, keyed by Ocp-Apim-Subscription-Key.
import { statusViaGateway } from "@/lib/gateway/status-via-gateway";

export const POST = statusViaGateway;
