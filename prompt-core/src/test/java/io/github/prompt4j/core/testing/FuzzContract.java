package io.github.prompt4j.core.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The contract every prompt4j fuzz target checks: a parser or builder given arbitrary input either succeeds or throws
 * one of its documented exception types with a non-blank message. Anything else, a {@code NullPointerException},
 * {@code ArrayIndexOutOfBoundsException}, {@code ClassCastException}, an undocumented exception type, a blank message,
 * and any {@link Error} ({@code OutOfMemoryError}, {@code StackOverflowError}), fails the target, and Jazzer records
 * the input as a finding. A hang is reported by libFuzzer's per-input timeout when fuzzing.
 */
public final class FuzzContract {

    private FuzzContract() {
    }

    /** Work that may fail only in documented ways. */
    @FunctionalInterface
    public interface Body {
        /** Runs the work. */
        void run() throws Exception;
    }

    /**
     * Runs {@code body}; returns true when it completed, false when it threw one of {@code allowed} with a non-blank
     * message.
     *
     * @throws AssertionError for any other outcome, with the offending exception as its cause
     */
    @SafeVarargs
    public static boolean holds(Body body, Class<? extends Exception>... allowed) {
        return holdsNaming("", body, allowed);
    }

    /**
     * As {@link #holds}, and the message of an allowed exception must mention {@code subject} (e.g. the file name).
     */
    @SafeVarargs
    public static boolean holdsNaming(String subject, Body body, Class<? extends Exception>... allowed) {
        try {
            body.run();
            return true;
        } catch (Exception e) {
            for (Class<? extends Exception> type : List.of(allowed)) {
                if (type.isInstance(e)) {
                    if (e.getMessage() == null || e.getMessage().isBlank()) {
                        throw new AssertionError("documented " + e.getClass().getName() + " without a message", e);
                    }
                    if (!e.getMessage().contains(subject)) {
                        throw new AssertionError("the message does not name " + subject + ": " + e.getMessage(), e);
                    }
                    return false;
                }
            }
            throw new AssertionError("undocumented exception " + e, e);
        }
    }

    /** The input as text (malformed UTF-8 becomes U+FFFD, as when a file is read). */
    public static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }
}
