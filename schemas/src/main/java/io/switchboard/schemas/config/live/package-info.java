/**
 * Live configuration: versions of the routing sections of a config on the config topic ({@link
 * io.switchboard.schemas.config.live.ConfigVersions}), which sections they carry ({@link
 * io.switchboard.schemas.config.live.LiveSections}), the version a process has in force ({@link
 * io.switchboard.schemas.config.live.LiveConfig}) and the reader that keeps it current ({@link
 * io.switchboard.schemas.config.live.ConfigWatcher}).
 */
package io.switchboard.schemas.config.live;
