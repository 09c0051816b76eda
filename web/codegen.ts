// Generates the console's GraphQL types from the API's checked-in schema.
// Every operation written with `graphql(...)` under src/ is validated against the schema here
// (an unknown field or argument fails the build), and its result and variables get a
// TypeScript type that `tsc --noEmit` then checks against the code that uses them.
import type { CodegenConfig } from "@graphql-codegen/cli";

const schema = process.env.MUTUALIS_SCHEMA ?? "../api/schema.graphql";

const config: CodegenConfig = {
  schema,
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  emitLegacyCommonJSImports: false,
  generates: {
    "./src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: "string",
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        scalars: {
          UUID: "string",
          Date: "string",
          DateTime: "string",
          JSON: "unknown",
        },
      },
    },
  },
};

export default config;
