/// The hand-written conformance vectors of `Data/spec` (one file per instruction), compiled into
/// the binary so `virtcheck verify` works wherever the tool is installed.
public enum SpecVectors {
    /// File name (as in Data/spec) and contents, in the order the instructions are listed in
    /// Data/spec/README.md.
    public static var files: [(name: String, text: String)] {
        [
            ("vmxon.vectors", PackageResources.vmxon_vectors), ("vmxoff.vectors", PackageResources.vmxoff_vectors),
            ("vmclear.vectors", PackageResources.vmclear_vectors), ("vmptrld.vectors", PackageResources.vmptrld_vectors),
            ("vmptrst.vectors", PackageResources.vmptrst_vectors), ("vmread.vectors", PackageResources.vmread_vectors),
            ("vmwrite.vectors", PackageResources.vmwrite_vectors), ("vmlaunch.vectors", PackageResources.vmlaunch_vectors),
            ("vmresume.vectors", PackageResources.vmresume_vectors), ("vmcall.vectors", PackageResources.vmcall_vectors),
            ("invept.vectors", PackageResources.invept_vectors), ("invvpid.vectors", PackageResources.invvpid_vectors),
            ("vmfunc.vectors", PackageResources.vmfunc_vectors), ("vmrun.vectors", PackageResources.vmrun_vectors),
            ("vmload.vectors", PackageResources.vmload_vectors), ("vmsave.vectors", PackageResources.vmsave_vectors),
            ("vmmcall.vectors", PackageResources.vmmcall_vectors), ("stgi.vectors", PackageResources.stgi_vectors),
            ("clgi.vectors", PackageResources.clgi_vectors), ("skinit.vectors", PackageResources.skinit_vectors),
            ("invlpga.vectors", PackageResources.invlpga_vectors),
        ].map { ($0.0, String(decoding: $0.1, as: UTF8.self)) }
    }
}
