from chimenum.cli import main

main()
