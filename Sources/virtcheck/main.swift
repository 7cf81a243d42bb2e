import VirtCheckCLI

RootCommand.main()
