package org.ddoq.jobs;

/**
 * The default cache root for evaluate's and train-teacher's {@code --cache-dir}. The prior cache itself is
 * {@link org.ddoq.core.pipeline.PriorCache}; this stays until those two commands take their defaults from core.
 */
final class PriorCache {
  private PriorCache() {}

  static java.nio.file.Path defaultRoot() {
    return org.ddoq.core.pipeline.PriorCache.defaultRoot();
  }
}
