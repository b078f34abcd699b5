from subshift.cli.main import run

run()
