import { defineConfig } from "vitest/config";

const common = { testTimeout: 60_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    // PGlite instances are memory- and CPU-hungry; two files at a time fits the 2-core machine.
    maxWorkers: 2,
    projects: [
      { test: { ...common, name: "suite", include: ["src/**/*.test.ts", "test/**/*.test.ts"], exclude: ["test/embedded.test.ts"] } },
      // Timing assertions run after everything else, alone, so other test files do not
      // compete with them for the two cores.
      { test: { ...common, name: "timing", include: ["test/embedded.test.ts"], sequence: { groupOrder: 1 } } },
    ],
  },
});
