// Types of opsbook/http (hand-written; the module is plain JavaScript).
import type { Runner } from './index'

export interface HealthResponse {
  statusCode: number
  contentType: string
  body: string
}

export type Detailed = boolean | ((request: unknown) => boolean)

export interface HealthOptions {
  tag?: string | null
  detailed?: Detailed
  request?: unknown
}

export declare const HEALTH_JSON: 'application/health+json'
export declare const PROMETHEUS_TEXT: string
export declare function healthResponse(runner: Runner, options?: HealthOptions): Promise<HealthResponse>
export declare function metricsResponse(runner: Runner): Promise<HealthResponse>
export declare function mountExpress(app: { get: (path: string, handler: (...args: any[]) => unknown) => unknown }, runner: Runner, options?: { detailed?: Detailed; prefix?: string }): void
export declare function fastifyHealth(fastify: unknown, options: { runner: Runner; detailed?: Detailed; prefix?: string }): Promise<void>
