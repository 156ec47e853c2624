// The contract between the constructs and the runtime: header and environment variable names.
// One definition, the runtime's (lib/ may import runtime/; the runtime never imports lib/). The
// CloudFront Functions in ./cloudfront-functions/ run without imports and hard-code the header
// names; test/lib/cloudfront-functions.test.ts checks them.
export * from '../../runtime/constructs-contract';
