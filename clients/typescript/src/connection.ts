// The channel and promise-returning calls. Retries on UNAVAILABLE come from gRPC's service config,
// so a retried Ask reuses its request id and never starts a second trial.
import { ChannelCredentials, credentials, ServiceError } from "@grpc/grpc-js";
import { TunerServiceClient } from "./gen/grpctuner/v1/tuner_service";

const RETRIED = ["CreateStudy", "GetStudy", "ListStudies", "Ask", "Tell", "Report", "Heartbeat", "GetTrial", "ListTrials", "GetBestTrials"];

const SERVICE_CONFIG = JSON.stringify({
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
  /** Channel credentials; insecure (plain HTTP/2) when unset. */
  credentials?: ChannelCredentials;
}

export function connect(options: ConnectOptions): TunerServiceClient {
  return new TunerServiceClient(options.server ?? "127.0.0.1:50051", options.credentials ?? credentials.createInsecure(), {
    "grpc.service_config": SERVICE_CONFIG,
    "grpc.enable_retries": 1,
  });
}

type Callback<T> = (error: ServiceError | null, response: T) => void;

/** One unary call as a promise that rejects with the ServiceError (code, details). */
export function unary<Res>(invoke: (callback: Callback<Res>) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    invoke((error, response) => (error ? reject(error) : resolve(response)));
  });
}
