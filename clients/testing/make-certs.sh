#!/usr/bin/env bash
# Makes a throwaway CA and a server certificate it signed for 127.0.0.1 and localhost, for the
# clients' TLS tests: ca.pem, server.pem and server.key in the folder given as $1.
set -euo pipefail
out=$1
command -v openssl >/dev/null || { echo "make-certs.sh needs openssl: apt-get install openssl" >&2; exit 1; }
cd "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 1 -subj "/CN=GrpcTuner test CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
printf "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile server.ext 2>/dev/null
