// resnet_convert builds go-face's exact ResNet type (anet_type in go-face's facerec.cc) against
// Debian's libdlib-dev, copies in weights prepared by tools/facemodel (already dequantized and in
// dlib's layout) and saves the network with dlib's own serializer.
//
// Usage: resnet_convert WEIGHTS.f32 OUT.dat
//
// WEIGHTS.f32 is a sequence of records, one per parameterised layer from the input to the output:
// a little-endian uint32 count followed by count little-endian float32 values. Each record must
// match the layer's parameter size exactly, otherwise the program fails.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <dlib/dnn.h>

using namespace dlib;

// The network below is copied verbatim from go-face (facerec.cc) so the saved file deserializes
// into go-face's anet_type.
template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
using residual = add_prev1<block<N,BN,1,tag1<SUBNET>>>;

template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,BN,2,tag1<SUBNET>>>>>>;

template <int N, template <typename> class BN, int stride, typename SUBNET>
using block  = BN<con<N,3,3,1,1,relu<BN<con<N,3,3,stride,stride,SUBNET>>>>>;

template <int N, typename SUBNET> using ares      = relu<residual<block,N,affine,SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block,N,affine,SUBNET>>;

template <typename SUBNET> using alevel0 = ares_down<256,SUBNET>;
template <typename SUBNET> using alevel1 = ares<256,ares<256,ares_down<256,SUBNET>>>;
template <typename SUBNET> using alevel2 = ares<128,ares<128,ares_down<128,SUBNET>>>;
template <typename SUBNET> using alevel3 = ares<64,ares<64,ares<64,ares_down<64,SUBNET>>>>;
template <typename SUBNET> using alevel4 = ares<32,ares<32,ares<32,SUBNET>>>;

using anet_type = loss_metric<fc_no_bias<128,avg_pool_everything<
                            alevel0<
                            alevel1<
                            alevel2<
                            alevel3<
                            alevel4<
                            max_pool<3,3,2,2,relu<affine<con<32,7,7,2,2,
                            input_rgb_image_sized<150>
                            >>>>>>>>>>>>;

namespace {

// A parameter tensor of one layer, in the order the layers are visited.
struct slot {
    std::string kind;
    tensor* params;  // con_ and fc_: the layer's parameter tensor
    affine_* aff;    // affine_: gamma then beta
};

struct collector {
    std::vector<slot>* out;
    bool set_mode;

    template <long a, long b, long c, int d, int e, int f, int g>
    void operator()(con_<a,b,c,d,e,f,g>& l) { if (!set_mode) out->push_back({"con", &l.get_layer_params(), nullptr}); }
    template <unsigned long n, fc_bias_mode m>
    void operator()(fc_<n,m>& l) { if (!set_mode) out->push_back({"fc", &l.get_layer_params(), nullptr}); }
    void operator()(affine_& l) {
        if (set_mode) l = affine_(CONV_MODE);
        else out->push_back({"affine", nullptr, &l});
    }
    template <typename T>
    void operator()(T&) {}
};

std::vector<float> read_record(std::istream& in) {
    uint32_t n = 0;
    if (!in.read(reinterpret_cast<char*>(&n), 4)) throw std::runtime_error("weights: truncated record header");
    std::vector<float> v(n);
    if (!in.read(reinterpret_cast<char*>(v.data()), std::streamsize(n) * 4)) throw std::runtime_error("weights: truncated record");
    return v;
}

void copy_into(float* dst, size_t size, const std::vector<float>& src, size_t from, const std::string& what) {
    if (from + size > src.size()) throw std::runtime_error(what + ": record too short");
    std::copy(src.begin() + from, src.begin() + from + size, dst);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: resnet_convert WEIGHTS.f32 OUT.dat\n";
        return 2;
    }
    try {
        anet_type net;
        std::vector<slot> slots;
        // Per-channel affine layers, as in dlib's released model (a default affine_ is per element).
        visit_computational_layers(net, collector{&slots, true});
        // One forward pass allocates every parameter tensor.
        matrix<rgb_pixel> dummy(150, 150);
        assign_all_pixels(dummy, rgb_pixel(128, 128, 128));
        net(dummy);
        visit_computational_layers(net, collector{&slots, false});
        // visit_computational_layers goes from the output to the input; the records go the other way.
        std::reverse(slots.begin(), slots.end());

        std::ifstream in(argv[1], std::ios::binary);
        if (!in) throw std::runtime_error(std::string("open ") + argv[1]);
        size_t total = 0;
        for (size_t i = 0; i < slots.size(); ++i) {
            const auto rec = read_record(in);
            const std::string what = "layer " + std::to_string(i) + " (" + slots[i].kind + ")";
            size_t want = 0;
            if (slots[i].aff) {
                auto g = slots[i].aff->get_gamma();
                auto b = slots[i].aff->get_beta();
                want = g.size() + b.size();
                if (rec.size() != want) throw std::runtime_error(what + ": size " + std::to_string(rec.size()) + ", want " + std::to_string(want));
                copy_into(g.host(), g.size(), rec, 0, what);
                copy_into(b.host(), b.size(), rec, g.size(), what);
            } else {
                want = slots[i].params->size();
                if (rec.size() != want) throw std::runtime_error(what + ": size " + std::to_string(rec.size()) + ", want " + std::to_string(want));
                copy_into(slots[i].params->host(), want, rec, 0, what);
            }
            total += want;
        }
        if (in.peek() != std::char_traits<char>::eof()) throw std::runtime_error("weights: records left over");
        net.clean();
        serialize(argv[2]) << net;
        std::cout << "resnet_convert: " << slots.size() << " layers, " << total << " parameters\n";
    } catch (std::exception& e) {
        std::cerr << "resnet_convert: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
