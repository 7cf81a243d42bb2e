import VirtCheckCLI

ProcessSetup.prepare()
RootCommand.main()
