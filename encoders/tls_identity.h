/* SPDX-License-Identifier: MIT */
/*
 * The RTSPS server's identity: a certificate (chain) and its private
 * key, PEM files. The key is a secret, so its file is refused unless it
 * is a regular file whose mode grants nothing beyond 0640, as for the
 * RTSP credentials. A key that does not belong to the certificate is
 * refused here, at start, not by the first client's failed handshake
 * (GIO does not compare them).
 */
#ifndef ENC_TLS_IDENTITY_H
#define ENC_TLS_IDENTITY_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The certificate of @cert_file with the key of @key_file (both
 * borrowed). NULL with a one-line reason in @err (size @err_size) saying
 * what to fix: a file missing or unreadable, no PEM certificate or key
 * in it, the key file's mode too open (with the chmod that fixes it),
 * the key not the certificate's.
 */
GTlsCertificate *enc_tls_identity_load(const char *cert_file,
				       const char *key_file, char *err,
				       size_t err_size);

#endif /* ENC_TLS_IDENTITY_H */
