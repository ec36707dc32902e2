import { defineConfig } from "vitest/config";

// Browser tests poll for what a screen shows; on a loaded two-core machine that can take seconds.
const common = { testTimeout: 60_000, hookTimeout: 120_000, expect: { poll: { timeout: 15_000 } } };

export default defineConfig({
  test: {
    // PGlite instances are memory- and CPU-hungry; two files at a time fits the 2-core machine.
    maxWorkers: 2,
    projects: [
      {
        test: {
          ...common,
          name: "suite",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["test/embedded.test.ts", "test/durability/**"],
        },
      },
      // The crash tests start and kill servers and commands in child processes: they run after
      // the suite, among themselves, so that the machine's two cores are theirs.
      { test: { ...common, name: "durability", include: ["test/durability/**/*.test.ts"], sequence: { groupOrder: 1 } } },
      // Timing assertions run after everything else, alone, so other test files do not
      // compete with them for the two cores.
      { test: { ...common, name: "timing", include: ["test/embedded.test.ts"], sequence: { groupOrder: 2 } } },
    ],
  },
});
