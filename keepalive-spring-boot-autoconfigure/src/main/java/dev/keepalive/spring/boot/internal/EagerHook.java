package dev.keepalive.spring.boot.internal;

/**
 * Marks the starter's hook beans, which check their policy when they are created: they are kept
 * out of {@code spring.main.lazy-initialization}, so a policy an integration cannot take stops the
 * application at start-up even then.
 */
public interface EagerHook {}
