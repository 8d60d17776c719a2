/* SPDX-License-Identifier: MIT */
/*
 * Which vGPUs a viewer may watch: a list of vGPU names or shell
 * patterns (fnmatch: '*', '?', '[...]'), separated by commas, e.g.
 * "vm-a,vm-b-*". "*" is every vGPU. A stream's path is
 * "/<vgpu>/<head>[/...]": access is decided by its first component, the
 * vGPU, and never by whether that vGPU exists. No GStreamer here: the
 * unit suite tests it directly.
 */
#ifndef ENC_ACCESS_H
#define ENC_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

/* The access list of a viewer whose entry names no vGPUs. */
#define ENC_ACCESS_EVERY_VGPU "*"

/*
 * @list (borrowed) is a well-formed access list: one or more non-empty
 * patterns of A-Z a-z 0-9 - _ . * ? [ ] ! separated by single commas.
 * False with a reason in @err (size @err_size) otherwise.
 */
bool enc_access_valid(const char *list, char *err, size_t err_size);

/* @list (a valid list) lets its viewer watch the vGPU named @vgpu. */
bool enc_access_allows(const char *list, const char *vgpu);

/*
 * @list (a valid list; NULL: nothing) lets its viewer watch the stream
 * at @path ("/<vgpu>/<head>[/...]", as a request names it). A path
 * without a leading '/' or with an empty first component is refused.
 */
bool enc_access_allows_path(const char *list, const char *path);

#endif /* ENC_ACCESS_H */
