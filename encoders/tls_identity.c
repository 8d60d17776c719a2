// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/x509.h>

#include "secret_file.h"
#include "tls_identity.h"

/* A PEM key or certificate chain is a few kB; anything far bigger is not
 * one. */
#define MAX_PEM_SIZE (1024 * 1024)

/* The whole of @path, NUL-terminated, in @data (g_free, after wiping
 * if secret). @secret: refuse modes beyond ENC_SECRET_FILE_MODE. */
static bool read_pem(const char *path, bool secret, char **data, size_t *len,
		     char *err, size_t err_size)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	char *buf;
	int fd = enc_secret_file_open(path, "a private key", secret, &st, err,
				      err_size);

	if (fd < 0)
		return false;
	if (st.st_size > MAX_PEM_SIZE) {
		snprintf(err, err_size, "%s is larger than %d bytes: not PEM",
			 path, MAX_PEM_SIZE);
		close(fd);
		return false;
	}
	buf = g_malloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, err_size, "%s: read error: %s", path,
				 strerror(errno));
			close(fd);
			explicit_bzero(buf, got);
			g_free(buf);
			return false;
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = 0;
	*data = buf;
	*len = got;
	return true;
}

/* The key's public half is the certificate's: same key ID (a hash of
 * the public key). */
static bool key_matches(const char *cert_file, const char *cert_pem,
			size_t cert_len, const char *key_file,
			const char *key_pem, size_t key_len, char *err,
			size_t err_size)
{
	gnutls_datum_t cd = { (unsigned char *)cert_pem,
			      (unsigned int)cert_len };
	gnutls_datum_t kd = { (unsigned char *)key_pem, (unsigned int)key_len };
	unsigned char cid[64], kid[64];
	size_t cid_len = sizeof(cid), kid_len = sizeof(kid);
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_privkey_t key = NULL;
	bool ok = false;
	int ret;

	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_privkey_init(&key) < 0) {
		snprintf(err, err_size, "out of memory");
		goto out;
	}
	ret = gnutls_x509_crt_import(crt, &cd, GNUTLS_X509_FMT_PEM);
	if (ret < 0) {
		snprintf(err, err_size, "%s: no PEM certificate (%s)",
			 cert_file, gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_x509_privkey_import2(key, &kd, GNUTLS_X509_FMT_PEM, NULL,
					  GNUTLS_PKCS_PLAIN);
	if (ret < 0) {
		snprintf(err, err_size,
			 "%s: no unencrypted PEM private key (%s)", key_file,
			 gnutls_strerror(ret));
		goto out;
	}
	if (gnutls_x509_crt_get_key_id(crt, 0, cid, &cid_len) < 0 ||
	    gnutls_x509_privkey_get_key_id(key, 0, kid, &kid_len) < 0 ||
	    cid_len != kid_len || memcmp(cid, kid, cid_len)) {
		snprintf(err, err_size,
			 "the key in %s is not the key of the certificate in "
			 "%s",
			 key_file, cert_file);
		goto out;
	}
	ok = true;
out:
	if (key)
		gnutls_x509_privkey_deinit(key);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	return ok;
}

GTlsCertificate *enc_tls_identity_load(const char *cert_file,
				       const char *key_file, char *err,
				       size_t err_size)
{
	char *cert = NULL, *key = NULL, *both = NULL;
	size_t cert_len, key_len;
	GTlsCertificate *identity = NULL;
	GError *error = NULL;

	if (!read_pem(cert_file, false, &cert, &cert_len, err, err_size) ||
	    !read_pem(key_file, true, &key, &key_len, err, err_size) ||
	    !key_matches(cert_file, cert, cert_len, key_file, key, key_len, err,
			 err_size))
		goto out;
	/* GIO takes the certificate chain and the key from one PEM text:
	 * exactly the bytes checked above */
	both = g_strconcat(cert, "\n", key, NULL);
	identity = g_tls_certificate_new_from_pem(both, -1, &error);
	if (!identity) {
		snprintf(err, err_size, "%s with %s: %s", cert_file, key_file,
			 error ? error->message : "refused");
		g_clear_error(&error);
	}
out:
	if (both) {
		explicit_bzero(both, strlen(both));
		g_free(both);
	}
	if (key) {
		explicit_bzero(key, key_len);
		g_free(key);
	}
	g_free(cert);
	return identity;
}
