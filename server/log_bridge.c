// SPDX-License-Identifier: MIT
/*
 * wlroots' and libvplane's log callbacks into the one sink (see
 * log_bridge.h). Both hand over a format whose "[file:line] " is in it
 * already, so the sink writes it as is.
 */
#include "log_bridge.h"

enum log_level vpd_log_level_from_wlr(enum wlr_log_importance importance)
{
	switch (importance) {
	case WLR_SILENT:
		return LOG_LEVEL_SILENT;
	case WLR_ERROR:
		return LOG_LEVEL_ERROR;
	case WLR_INFO:
		return LOG_LEVEL_INFO;
	default:
		return LOG_LEVEL_DEBUG;
	}
}

enum wlr_log_importance vpd_log_level_to_wlr(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_SILENT:
		return WLR_SILENT;
	case LOG_LEVEL_ERROR:
		return WLR_ERROR;
	case LOG_LEVEL_INFO:
		return WLR_INFO;
	default:
		return WLR_DEBUG;
	}
}

enum log_level vpd_log_level_from_vplane(enum vp_log_importance importance)
{
	switch (importance) {
	case VP_LOG_SILENT:
		return LOG_LEVEL_SILENT;
	case VP_LOG_ERROR:
		return LOG_LEVEL_ERROR;
	case VP_LOG_INFO:
		return LOG_LEVEL_INFO;
	default:
		return LOG_LEVEL_DEBUG;
	}
}

enum vp_log_importance vpd_log_level_to_vplane(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_SILENT:
		return VP_LOG_SILENT;
	case LOG_LEVEL_ERROR:
		return VP_LOG_ERROR;
	case LOG_LEVEL_INFO:
		return VP_LOG_INFO;
	default:
		return VP_LOG_DEBUG;
	}
}

static void handle_wlr_log(enum wlr_log_importance importance, const char *fmt,
			   va_list args) __attribute__((format(printf, 2, 0)));

static void handle_wlr_log(enum wlr_log_importance importance, const char *fmt,
			   va_list args)
{
	log_sink_vwrite(vpd_log_level_from_wlr(importance), fmt, args);
}

static void handle_vplane_log(enum vp_log_importance importance,
			      const char *fmt, va_list args)
	__attribute__((format(printf, 2, 0)));

static void handle_vplane_log(enum vp_log_importance importance,
			      const char *fmt, va_list args)
{
	log_sink_vwrite(vpd_log_level_from_vplane(importance), fmt, args);
}

void vpd_log_bridge_init(enum log_level threshold)
{
	log_sink_init(threshold);
	/* wlroots hands its callback every line and filters none; it reads
	 * the verbosity back (wlr_log_get_verbosity()) to skip debug work */
	wlr_log_init(vpd_log_level_to_wlr(threshold), handle_wlr_log);
	/* libvplane filters before it formats */
	vp_log_init(vpd_log_level_to_vplane(threshold), handle_vplane_log);
}
