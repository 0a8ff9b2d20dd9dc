package io.switchboard.client.batch;

/**
 * How a batch run ended.
 *
 * @param status how the run ended
 * @param valid input lines to answer
 * @param invalid input lines not sent
 * @param answered valid lines with an output line, now
 * @param ok output lines with an ok reply (including earlier runs)
 * @param failed output lines with an error or expired reply (including earlier runs)
 * @param alreadyAnswered lines that had their output line before this run
 * @param recovered output lines written from replies found on the reply topic at start
 * @param sent requests sent by this run
 * @param unanswered valid lines still without an output line
 */
public record BatchResult(
    BatchStatus status,
    long valid,
    long invalid,
    long answered,
    long ok,
    long failed,
    long alreadyAnswered,
    long recovered,
    long sent,
    long unanswered) {}
