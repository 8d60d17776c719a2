/* SPDX-License-Identifier: MIT */
/*
 * encoders/ logging: enc_log(ERROR|INFO|DEBUG, fmt, ...) is the old name
 * of vp_log_sink_write_at() (log/log_sink.h), kept so call sites stay as
 * they are: "[file:line] message", once where a failure happens, through
 * vplaned's one sink and its threshold. Callable from any thread
 * (GStreamer's included). Programs that link encoders/ without vplaned
 * (tests, benches) get the sink's default: errors and info on stderr.
 */
#ifndef VP_ENC_LOG_H
#define VP_ENC_LOG_H

#include "log_sink.h"

#define enc_log(level, fmt, ...)                                            \
	vp_log_sink_write_at(VP_LOG_LEVEL_##level, __FILE__, __LINE__, fmt, \
			     ##__VA_ARGS__)

#endif /* VP_ENC_LOG_H */
