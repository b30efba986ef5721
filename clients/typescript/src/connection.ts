// The channel and promise-returning calls. Retries on UNAVAILABLE come from gRPC's service config,
// so a retried Ask reuses its request id and never starts a second trial.
import { readFileSync } from "node:fs";
import { ChannelCredentials, credentials, InterceptingCall, Interceptor, ServiceError } from "@grpc/grpc-js";
import { TunerServiceClient } from "./gen/grpctuner/v1/tuner_service";

const RETRIED = ["CreateStudy", "GetStudy", "ListStudies", "Ask", "Tell", "Suggest", "Report", "Heartbeat", "GetTrial", "ListTrials", "GetBestTrials"];

// round_robin: a DNS name with several replicas (dns:///tuner:50051) spreads calls over all of them.
const SERVICE_CONFIG = JSON.stringify({
  loadBalancingConfig: [{ round_robin: {} }],
  methodConfig: [{
    name: RETRIED.map((method) => ({ service: "grpctuner.v1.TunerService", method })),
    retryPolicy: {
      maxAttempts: 5, initialBackoff: "0.1s", maxBackoff: "2s", backoffMultiplier: 2,
      retryableStatusCodes: ["UNAVAILABLE"],
    },
  }],
});

export interface ConnectOptions {
  /** Any replica, as host:port, http://host:port, https://host:port or dns:///name:port; default $GRPCTUNER_SERVER, else 127.0.0.1:50051. */
  server?: string;
  /** Sent as "authorization: Bearer <key>"; default $GRPCTUNER_API_KEY. */
  apiKey?: string;
  /** PEM file of the CA that signed the server's certificate: the channel then uses TLS. Default $GRPCTUNER_CA_FILE. */
  caFile?: string;
  /** Channel credentials of your own; overrides caFile. Plain HTTP/2 when neither is set. */
  credentials?: ChannelCredentials;
}

/** Adds the bearer token to every call's metadata, on plain and TLS channels alike. */
function bearer(apiKey: string): Interceptor {
  return (options, nextCall) => new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      metadata.set("authorization", `Bearer ${apiKey}`);
      next(metadata, listener);
    },
  });
}

export const ADDRESS_FORMS = "host:port, http://host:port, https://host:port or dns:///name:port";

/**
 * The gRPC target and whether to use TLS, from any of ADDRESS_FORMS (the rule every client and the
 * agent share): http:// is plaintext, https:// is TLS, a bare host:port is TLS only with a CA file.
 */
export function target(server: string | undefined, tls: boolean): { target: string; tls: boolean } {
  const address = server ?? process.env.GRPCTUNER_SERVER ?? "127.0.0.1:50051";
  if (address.startsWith("dns:")) {
    return { target: address, tls };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(address)?.[1];
  const rest = scheme ? address.slice(scheme.length + 3).replace(/\/+$/, "") : address;
  const colon = rest.lastIndexOf(":");
  if ((scheme && scheme !== "http" && scheme !== "https") || colon <= 0 || !/^\d+$/.test(rest.slice(colon + 1))) {
    throw new TypeError(`server: '${address}' is not a server address: give ${ADDRESS_FORMS}`);
  }
  return { target: rest, tls: scheme ? scheme === "https" : tls };
}

export function connect(options: ConnectOptions): TunerServiceClient {
  const apiKey = options.apiKey ?? process.env.GRPCTUNER_API_KEY;
  const caFile = options.caFile ?? process.env.GRPCTUNER_CA_FILE;
  const where = target(options.server, caFile !== undefined);
  // https:// without a CA file trusts the system's roots, as createSsl() does with no arguments.
  const channel = options.credentials
    ?? (where.tls ? credentials.createSsl(caFile ? readFileSync(caFile) : null) : credentials.createInsecure());
  return new TunerServiceClient(where.target, channel, {
    "grpc.service_config": SERVICE_CONFIG,
    "grpc.enable_retries": 1,
    interceptors: apiKey ? [bearer(apiKey)] : [],
  });
}

type Callback<T> = (error: ServiceError | null, response: T) => void;

/** One unary call as a promise that rejects with the ServiceError (code, details). */
export function unary<Res>(invoke: (callback: Callback<Res>) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    invoke((error, response) => (error ? reject(error) : resolve(response)));
  });
}
