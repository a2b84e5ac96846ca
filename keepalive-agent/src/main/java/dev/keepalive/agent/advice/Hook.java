package dev.keepalive.agent.advice;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds an advice parameter to the {@code MethodHandle} the agent keeps in {@code java.base} (the
 * bridge class's static field): the inlined code reads it there, since a JDK class sees nothing
 * else of the agent. Null until the agent has set it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Hook {}
