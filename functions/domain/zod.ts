// zod's tree-shakable API (`zod/mini`: a handler bundles the few KB it uses, where the classic
// `zod` API bundles ~450 KB), with the English messages of the classic API. zod/mini loads no
// locale by itself ("Invalid input" for everything), and problem responses quote these messages.
// Everything under functions/ (and local mode) imports zod through here: `import * as z from ...`.
import { en } from "zod/locales";
import { config } from "zod/mini";

config(en());

export * from "zod/mini";
