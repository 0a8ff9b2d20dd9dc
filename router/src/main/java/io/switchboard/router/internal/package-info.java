/**
 * The router topology's processors and what they read and write: request records read into requests
 * or rejections, the store values and serdes, the dispatch partitioner, and the names of the
 * topology's nodes and stores ({@link io.switchboard.router.internal.TopologyNames}).
 */
package io.switchboard.router.internal;
