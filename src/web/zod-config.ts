import { z } from "zod";

// Zod compiles object schemas with `new Function` unless told not to; the page's Content
// Security Policy allows no eval, and even zod's probe for it is reported as a violation.
// Imported first, before any schema is built.
z.config({ jitless: true });
