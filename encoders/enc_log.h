/* SPDX-License-Identifier: MIT */
/*
 * encoders/ logging: "[file:line] message", once where a failure
 * happens, through a callback the program sets (vplaned: wlroots' log).
 * Callable from any thread (GStreamer's included): the callback must
 * be thread-safe, as wlroots' default stderr logger is.
 */
#ifndef VP_ENC_LOG_H
#define VP_ENC_LOG_H

enum vp_enc_log_level {
	VP_ENC_LOG_ERROR,
	VP_ENC_LOG_INFO,
	VP_ENC_LOG_DEBUG,
};

typedef void (*vp_enc_log_fn)(enum vp_enc_log_level level, const char *msg);

/* Route messages to @fn (NULL: stderr, errors and info only). Call
 * before any other encoders/ function. */
void vp_enc_log_init(vp_enc_log_fn fn);

void vp_enc_log_at(enum vp_enc_log_level level, const char *file, int line,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define enc_log(level, fmt, ...)                                   \
	vp_enc_log_at(VP_ENC_LOG_##level, __FILE__, __LINE__, fmt, \
		      ##__VA_ARGS__)

#endif /* VP_ENC_LOG_H */
