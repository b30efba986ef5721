// The channel and promise-returning calls. Retries on UNAVAILABLE come from gRPC's service config,
// so a retried Ask reuses its request id and never starts a second trial.
import { readFileSync } from "node:fs";
import { ChannelCredentials, credentials, InterceptingCall, Interceptor, ServiceError } from "@grpc/grpc-js";
import { TunerServiceClient } from "./gen/grpctuner/v1/tuner_service";

const RETRIED = ["CreateStudy", "GetStudy", "ListStudies", "Ask", "Tell", "Report", "Heartbeat", "GetTrial", "ListTrials", "GetBestTrials"];

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
  /** host:port of any replica; default 127.0.0.1:50051. */
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

export function connect(options: ConnectOptions): TunerServiceClient {
  const apiKey = options.apiKey ?? process.env.GRPCTUNER_API_KEY;
  const caFile = options.caFile ?? process.env.GRPCTUNER_CA_FILE;
  const channel = options.credentials
    ?? (caFile ? credentials.createSsl(readFileSync(caFile)) : credentials.createInsecure());
  return new TunerServiceClient(options.server ?? "127.0.0.1:50051", channel, {
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
