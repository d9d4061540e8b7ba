/**
 * The size and sha256 of every stored source file of the registered datasets, as each
 * folder's MANIFEST.md under `../shared/datasets` lists them, one table per folder.
 * Each registry entry points at its folder's table (`DatasetEntry.checksums`); the
 * files an entry reads are checked against it on every uncached read (see
 * `verifyDatasetSources`).
 *
 * Why a table in code rather than MANIFEST.md parsed at read time: the MANIFESTs are
 * prose for people, with several table layouts (some give no byte counts, some list
 * files that were later removed, sha256 before and after gzip side by side), and a
 * user's own copy of a dataset may have no MANIFEST at all. Here the expected bytes are
 * explicit, reviewed with the reader that depends on them, and each row was checked
 * once: the file's sha256, taken from the file, occurs in its folder's MANIFEST.md
 * (sizes are the byte counts of those files, since not every MANIFEST gives one).
 * A file an entry reads but no table lists (a plain `u.data` in place of the stored
 * `u.data.gz`, say) is not hashed; its gzip stream is checked and the entry's
 * `expectedInteractions` catches a short file instead.
 *
 * Update a row together with the folder's MANIFEST.md when a stored file changes.
 */
import type { SourceChecksums } from '../integrity.js';

/** Folder under the data root → file (relative, `/`-separated) → its size and sha256. */
export const MANIFEST_CHECKSUMS: Readonly<Record<string, SourceChecksums>> = {
  'ml-100k': {
    'u.data.gz': { bytes: 827905, sha256: 'd5cd19fba4562fe2867bf2964d99d97ec55bce45b150df3763dfa8668cf22f4f' },
    'u.genre': { bytes: 202, sha256: '9757e0d3e6b298159a80dd48eaf938114690e911e39af97a76949ef1663610bb' },
    'u.item': { bytes: 236344, sha256: '553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701' },
    'u.occupation': { bytes: 193, sha256: 'cd5fbec9afe345d993a62fc7817df1a4a9079c4feb267b3118763b8fd942137d' },
    'u.user': { bytes: 22628, sha256: 'f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c' },
    'u1.base.gz': { bytes: 450473, sha256: '85bfd60412e52b60b9a7f494b13f892a627eedf8c870716879aa0eadc7709e33' },
    'u1.test': { bytes: 392629, sha256: '18c6014a4b2c7324f250a63f8904a7b16b2b19f911129e346141507b0cbac950' },
    'u2.base.gz': { bytes: 451530, sha256: 'bca72de4836faf26dc14e456e18abeb30071744ff46fea82ddaf7e546b6928c2' },
    'u2.test': { bytes: 395225, sha256: '4de658d1e04ed9104629509a2e2528fce833ac8e048280183f1df167632038c3' },
    'u3.base.gz': { bytes: 451564, sha256: '93900c1760b514da98dbf39df08b691416acde2d85419693850faf340114d17d' },
    'u3.test': { bytes: 396627, sha256: '0f548b51c78327de4c156461d3e430b7e5579fe2b5681586a59416e48fd35f6d' },
    'u4.base.gz': { bytes: 451613, sha256: 'c40781fc0f2fa7805262fc4e50fda8f532058b7383446c5ba8279b6be78b644d' },
    'u4.test': { bytes: 397295, sha256: '7c02ad0a1e7ab1083c8b9d4b627203a051dd7b5eab46d99fa44de33470de8db9' },
    'u5.base.gz': { bytes: 450438, sha256: '0d6a9fe308465814bc8c66ab8a84971e3a2d5d92090b0c5c430cd2611ed0f904' },
    'u5.test': { bytes: 397397, sha256: '351cc52e0d15b6c721466276fc24671d40936899e3d01fadeaf312915b8c5634' },
    'ua.base.gz': { bytes: 504466, sha256: 'bba295f8d3655295a42d4749689d06d40cbb9635dbd6c169fef6fa0f3a7bafe1' },
    'ua.test': { bytes: 186672, sha256: 'd0497e202417720f57a184ec8c66be2d1afa4ff41bb53787c57b28d6bf79bc42' },
    'ub.base.gz': { bytes: 504130, sha256: '66ae16480a6cbeb819b1a7761083daab1e25aeb63eddb385ede6d16b138d0cb0' },
    'ub.test': { bytes: 186697, sha256: 'd54a72d05730d5892062734b2bec73e976f9b713d18c828a18b968d6cce442da' },
  },
  'ml-1m': {
    'folds/test_1m1.dat.gz': { bytes: 664672, sha256: 'ab8f6e12cfd045776f29798e22e1b37454344bfb71d815b3c62e96adace0c104' },
    'folds/test_1m2.dat.gz': { bytes: 665417, sha256: '8571b06a93a532206244c126f3980750a3ce84fe3a5e1aaf827514e794d61bda' },
    'folds/test_1m3.dat.gz': { bytes: 665126, sha256: 'e85804cbd5937614925dade79ad83508536b755164f93782b499f6d602a1a0c6' },
    'folds/test_1m4.dat.gz': { bytes: 665222, sha256: 'abd450a19e0919ee78cddd345e6c93bf9e42dec9c7acc1936705d55327681d52' },
    'folds/test_1m5.dat.gz': { bytes: 665909, sha256: 'ecf7907ebd8d6e6aade67746ea7da2d78e4068691d8b4ce65fde08fc1ceb1e9d' },
    'last_ratings.tsv': { bytes: 143210, sha256: '2d32bdbe9b001cb159606d601a1201eb18ad59c844e7bbff39b474e48103610b' },
    'movies.dat': { bytes: 171308, sha256: '0140fc2356357c1a851d0f52e893a1e4d3696df632c4141cea8d5bc3d621f0b9' },
    'users.dat': { bytes: 134368, sha256: '1dc3a95300cb19f7c10e027daf29b8cdf1d908dab65b5edfb45950aa389a10a3' },
  },
  'ml-1m-ncf': {
    'ml-1m.test.negative.gz': { bytes: 1206017, sha256: '64a4a97e70c3be1f71cc383f01e37d1ef6e1afca0f7a74acc505f8d33fb9cf22' },
    'ml-1m.test.rating': { bytes: 128039, sha256: '231ae11eb060b643a8c58c063cd17ffc743b54f569afb073d1abb6cf126b88b5' },
  },
  'amazon-s3rec': {
    'Beauty.txt.gz': { bytes: 455525, sha256: '42279f722e834b737ba8ce0db247884ea80a1f9d100fe563663351867af46189' },
    'Beauty_datamaps.json.gz': { bytes: 784409, sha256: '8e7280b9b5d5ecfc321b260c6c0d394504a06847c1d0998b00cd9fb81bde99f2' },
    'Beauty_item2attributes.json': { bytes: 305674, sha256: '129e40f67486f6877eff0f5318cfa8530ee8ac23d8b0d1de04e1bb7a2ba0b2d4' },
    'Sports_and_Outdoors.txt.gz': { bytes: 720931, sha256: 'ca3b69834937279cbad279841cb855b579546c9f679e51bf2f8f4cdef5cb7b73' },
    'Sports_and_Outdoors_datamaps.json.gz': { bytes: 1229616, sha256: 'fbbc557e8c01127aafbd6428b397838deb65572af17abcaaa828b73e8ea42d67' },
    'Sports_and_Outdoors_item2attributes.json': { bytes: 653780, sha256: '7fb10733ac4f1811384a52144cdefa7fcc7536fa80a7232c5da9bd789155c34b' },
    'Toys_and_Games.txt': { bytes: 922166, sha256: '176c680c688d497598c4a89a03b402c0fe78d795e5db335c2e78dd5f2d778a3f' },
    'Toys_and_Games_item2attributes.json': { bytes: 327536, sha256: 'd371acd25101eedac04afc727626464b7acec770c4eda708705d51eb76eb1ad0' },
    'Toys_and_Games_ratings.txt.gz': { bytes: 2286085, sha256: 'c0f7c207237fc0251fcf8c3b756f80401a8d3ca5b12c43675dc47df4e82cbd5f' },
  },
  'yelp-s3rec-hier': {
    'Yelp.txt.gz': { bytes: 785356, sha256: '335de98b1a76fc4277cf8b07e70a5b927751cc728fe55f5ef3ce32344df194a0' },
    'Yelp_closed_categories.json.gz': { bytes: 155448, sha256: '0b2f3a877be1fa114c8cf2e343cc7315a94066362b666f4542ba0a984614d50f' },
    'Yelp_datamaps.json.gz': { bytes: 2067087, sha256: 'bec36fe3663ee6ae3805107e30827e9e27dcbff1486227047314fd9df49afd23' },
    'Yelp_item2attributes.json': { bytes: 600360, sha256: 'f25acd5e1e680e0b22fd4e3f4fb6be4b2a7461e9222610616e3e1ee6702dd58d' },
  },
  'tiktok-diffmm': {
    'audio_feat.npy.gz': { bytes: 1594865, sha256: '6771664097033d9006489c7a39d1d3623aa28b0508eb6bfd0b8d6eb60de5ce94' },
    'image_feat.npy.gz': { bytes: 1427412, sha256: 'd85b90b288387389cee90b05be2532fd7f541c011b56e73efeb9355dc8c9a8e1' },
    'test.tsv': { bytes: 60363, sha256: 'eed1ebd20b52d70ef708ae9a887c625c58df1727ff78be0b870fdb45993553f2' },
    'train.tsv': { bytes: 529588, sha256: 'f09aa464293f377fe635b1d02c6a8ed0a56d4e2ba0806723e63525d44639d6ae' },
    'valid.tsv': { bytes: 30085, sha256: '36dfc9c8d82315c63ce754a32321f8957ec2d6a62996df9c9ad605281103db83' },
  },
  'tmall': {
    'mbcgcn/buy/test.txt': { bytes: 157169, sha256: 'aa643ff3e3f072238740b684277e65ee2eaeecdcd3c5ec1134756d4adfb1672b' },
    'mbcgcn/buy/train.txt': { bytes: 531627, sha256: '4d8619e44b5292736daff25b18ff9b295893e7521e3d79faff4a62d48dd80e6e' },
    'mbcgcn/cart/test.txt': { bytes: 157925, sha256: '629f9fa78ed2a0e1066765175eafa67cda94410162aabfc7c6d2b66ecdd38ad1' },
    'mbcgcn/cart/train.txt': { bytes: 972161, sha256: '481a048118ad3837208534a4367c2f20f290cd2a6f9297a621897655b62f2dbc' },
    'mbcgcn/view/test.txt': { bytes: 158313, sha256: '924648c230c6fdf2cbe7d02088d2df8393c76b877cac921cc235b1d7bcecf66b' },
    'mbcgcn/view/train.txt.gz': { bytes: 1836111, sha256: 'c01fb9cbd82a8a4770845ae249d18ffa8b77c8bba56e1502b53646313538191d' },
    'mbgcn/cart.txt': { bytes: 21386, sha256: '6e242a238686fc2468ce7e28e69e77b3aa7d7857836f8531f24e79e53c2cdef6' },
    'mbgcn/collect.txt.gz': { bytes: 794214, sha256: '0c4fe5585d6cfb82225e826ec62f35566e167e051ede048c5be9b198a9ac0df4' },
    'mbgcn/data_size.txt': { bytes: 12, sha256: '3ba7536a465923cbc5b2aaefa22c5f9a90aa13cc9b62471a46984107735da89a' },
    'mbgcn/test.txt': { bytes: 790199, sha256: '2905cd5f6aa59f3dd5c1171f6ec5333b20ebeba27e3f9e70562582216f8cb94c' },
    'mbgcn/train.txt.gz': { bytes: 678995, sha256: 'ae4abb696b77e51ef91883bf36fb6a98b19be9e36d9930793dc21705b12912cb' },
    'mbgcn/validation.txt': { bytes: 336381, sha256: '6c0de5971df7512d297a0e54420ce577095b9380c80f5bf1dffc86cb6a745ad8' },
  },
  'beibei': {
    'crgcn/count.txt': { bytes: 29, sha256: 'c03670b400b39c82f4138a9409f3788dd037f43d9154283d19669f7237c6ae76' },
    'crgcn/test.txt': { bytes: 249006, sha256: '068844e18ba08067ba7583e38a59aaeda59f61c1265249c61d87fda154f695a4' },
    'crgcn/train.txt.gz': { bytes: 857273, sha256: '7398979a054278d28367cf9fa55d9b9fedffb80a9444c5012178903fb6aa29ed' },
    'crgcn/validation.txt': { bytes: 249481, sha256: '63f59168ad347015606895719f8b7a1291f368caea3fe0bf4c6b4ce819b1145d' },
    'ghcf/cart.txt.gz': { bytes: 1255490, sha256: '5b13e63234c3aa69087778ec152dd269d5f23ca5d5512f35d467c1ab9bdbc8b3' },
    'ghcf/test.txt': { bytes: 227286, sha256: '84709478e3b07aa7c20e39fbcd22e0ca57b485e16ed1338294cf8b9e411eef18' },
    'ghcf/train.txt.gz': { bytes: 558572, sha256: 'cd4f5048b78489b079915b0b7389de972502894c427c308a2b7494c82c515945' },
  },
  'taobao': {
    'ghcf/cart.txt.gz': { bytes: 581037, sha256: '14f95366e66aa9d8292f7a1983e40a579d163014e51ee3a5bb9ae11d742eb4f8' },
    'ghcf/test.txt': { bytes: 560349, sha256: '22b9c3c09c302e19808b2c42cc0ad94b99df3b15006c74b5abd8dab1e7870753' },
    'ghcf/train.txt.gz': { bytes: 648349, sha256: '99f576443050ea1d9d29c3bc8c0d3b33801b5e5d3cc63c259c0627c301e7e929' },
  },
  'yelp-core40': {
    'items.txt': { bytes: 110882, sha256: '6f1f108a8273988c5e86ce2c09b5175216e1451124a2faef193f6e3d007698d2' },
    'ratings.txt.gz': { bytes: 460436, sha256: 'dba61182b4726155d4b6208297336dd0e0040c9c1d9ac13ec43a7e473c8f5231' },
    'users.txt': { bytes: 12887, sha256: '59a014ab322900353704395025c96e65020fa18b3ef1c79caa0fa64feb36da2b' },
  },
};
