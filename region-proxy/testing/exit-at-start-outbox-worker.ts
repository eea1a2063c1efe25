/** An outbox thread for outbox-thread.test.ts that dies before it ever answers. */
process.exit(1);
