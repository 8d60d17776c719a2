/* SPDX-License-Identifier: MIT */
/*
 * vplaned's log lines all end in the one sink (log/log_sink.h): this
 * installs the callbacks that bring wlroots' lines (vplaned's own
 * log_at() calls, wlroots', and libwayland-server's, which wlroots
 * forwards) and libvplane's lines there, their levels mapped, and gives
 * all three the sink's threshold. encoders/ writes to the sink directly
 * (enc_log.h).
 */
#ifndef VPD_LOG_BRIDGE_H
#define VPD_LOG_BRIDGE_H

#include <vplane/log.h>
#include <wlr/util/log.h>

#include "log_sink.h"

/* Start the sink at @threshold and route wlroots and libvplane into it.
 * Call first in main(), before any thread starts; again to change the
 * threshold. */
void vpd_log_bridge_init(enum log_level threshold);

/* The level maps, both ways (an unknown level maps to debug). */
enum log_level vpd_log_level_from_wlr(enum wlr_log_importance importance);
enum wlr_log_importance vpd_log_level_to_wlr(enum log_level level);
enum log_level vpd_log_level_from_vplane(enum vp_log_importance importance);
enum vp_log_importance vpd_log_level_to_vplane(enum log_level level);

#endif /* VPD_LOG_BRIDGE_H */
