import fs from "node:fs";
import path from "node:path";
import { AppError } from "../core/shared/errors.ts";

const heldLocks = new Set<string>();

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the exclusive lock on a data directory, or fails at once with a clear message
 * when another live process holds it. A lock left by a dead process is taken over.
 * Returns the function that releases it.
 */
export function lockDataDirectory(dataDir: string): () => void {
  const lockPath = path.join(dataDir, "liaison.lock");
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The database's files are readable by whoever can enter the directory: only its owner may.
  try {
    fs.chmodSync(dataDir, 0o700);
  } catch {
    // A directory this user does not own keeps its mode; its owner decides who enters it.
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, "wx");
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      heldLocks.add(lockPath);
      return () => {
        if (heldLocks.delete(lockPath)) fs.rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(fs.readFileSync(lockPath, "utf8"), 10);
      const heldHere = heldLocks.has(lockPath);
      if (heldHere || (Number.isInteger(holder) && holder !== process.pid && isProcessAlive(holder))) {
        throw new AppError(
          "DATA_DIR_LOCKED",
          `The data directory ${dataDir} is already in use by another Liaison process (pid ${heldHere ? process.pid : holder}). Stop that process first, or set LIAISON_DATA_DIR to another directory.`,
        );
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new AppError("DATA_DIR_LOCKED", `Could not lock the data directory ${dataDir}.`);
}
