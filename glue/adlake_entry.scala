// AWS Glue requires a ScriptLocation even for a Scala job whose entry point lives in a jar. adlake's entry
// point is io.adlake.cli.Main in the shaded jar given with --extra-jars, named by --class in the job's
// DefaultArguments; this file only satisfies the API, so it holds no code for Glue to compile or run.
