declare module "autocannon" {
  type Options = { url: string; connections?: number; duration?: number; method?: string; headers?: Record<string, string>; body?: string };
  type Histogram = { average: number; p50: number; p90: number; p99: number; max: number };
  export type Result = { requests: Histogram & { total: number }; latency: Histogram; non2xx: number; errors: number; timeouts: number };
  export default function autocannon(opts: Options): Promise<Result>;
}
