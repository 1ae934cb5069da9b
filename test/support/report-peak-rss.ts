/** Preloaded into a child process (`--import`): reports its peak resident set size on stderr as it exits. */
process.on("exit", () => {
  process.stderr.write(`peak-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
